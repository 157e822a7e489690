"""The embedded broker: kombu's filesystem transport, made safe for several processes.

kombu's filesystem channel creates a message file under its final name and then writes into it,
so a consumer polling the same folder can claim the file while it is still empty, fail to decode
it and stop the worker, and the message is gone. Here a message is written under a name consumers
ignore and renamed into the queue only when complete (a rename within a folder is atomic), and a
message that still cannot be decoded is set aside with a log line instead of stopping the worker.

Selected by `CELERY_BROKER_TRANSPORT` in settings when the broker URL is `filesystem://`.
"""

import logging
import os
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

# Consumers pick up "<time>_<uuid>.<queue>.msg"; a file being written has another suffix.
PARTIAL_SUFFIX = ".partial"
UNREADABLE_FOLDER = "unreadable"


class Channel(filesystem.Channel):
    # kombu's filesystem.Channel signature; its stubs name the argument `message` in the base class.
    def _put(self, queue, payload, **kwargs):  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = Path(self.data_folder_out) / name
        partial = final.with_name(name + PARTIAL_SUFFIX)
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
                f.flush()
                os.fsync(f.fileno())
            os.replace(partial, final)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ChannelError(f"Cannot add message {name!r} to the queue folder") from exc

    def _get(self, queue, timeout=None):
        wanted = f"{queue}.msg"
        folder = Path(self.data_folder_in)
        claimed_folder = Path(self.processed_folder)
        for name in sorted(os.listdir(folder)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = claimed_folder / name
            try:
                # Claiming is a rename: of several consumers, exactly one gets the file.
                os.replace(folder / name, claimed)
            except FileNotFoundError:
                continue  # taken by another consumer in the meantime
            except OSError as exc:
                raise ChannelError(f"Cannot claim message {name!r} into {claimed_folder}") from exc
            try:
                payload = claimed.read_bytes()
            except OSError as exc:
                raise ChannelError(f"Cannot read message {name!r} from the queue") from exc
            try:
                message = loads(bytes_to_str(payload))
            except ValueError:
                self._set_aside(claimed)
                continue
            if not self.store_processed:
                claimed.unlink(missing_ok=True)
            return message
        raise Empty()

    def _set_aside(self, path: Path) -> None:
        unreadable = path.parent / UNREADABLE_FOLDER
        unreadable.mkdir(exist_ok=True)
        os.replace(path, unreadable / path.name)
        logger.error("embedded broker: message %s is not valid JSON; moved to %s", path.name, unreadable)


class Transport(filesystem.Transport):
    Channel = Channel
