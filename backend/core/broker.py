"""The embedded broker: kombu's filesystem transport, made safe for several processes.

kombu's filesystem channel creates a message file under its final name and then writes into it,
so a consumer polling the same folder can claim the file while it is still empty, fail to decode
it and stop the worker, and the message is gone. Here a message is written under a name consumers
ignore and renamed into the queue only when complete (a rename within a folder is atomic), and a
message that still cannot be decoded is set aside with a log line instead of stopping the worker.

Its exchange tables have the same race: kombu creates a table file, then locks and writes it, so a
second worker starting at the same moment could read it empty and stop. Here every process opens
a table in one mode that creates without truncating, under the lock, and an empty table is no
bindings.

Selected by `CELERY_BROKER_TRANSPORT` in settings when the broker URL is `filesystem://`.
"""

import logging
import os
import uuid
from fcntl import LOCK_EX, LOCK_SH
from itertools import count
from pathlib import Path
from queue import Empty
from time import monotonic_ns

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.transport.filesystem import exchange_queue_t, lock, unlock
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

# Consumers pick up "<time>_<uuid>.<queue>.msg"; a file being written has another suffix.
PARTIAL_SUFFIX = ".partial"
UNREADABLE_FOLDER = "unreadable"
_PUT_COUNT = count()


class Channel(filesystem.Channel):
    # kombu's filesystem.Channel signature; its stubs name the argument `message` in the base class.
    def _put(self, queue, payload, **kwargs):  # type: ignore[override]
        # Consumers take the names in sorted order: the time zero-padded (so that sorting by name
        # is sorting by time), then this process's count, for messages put in the same instant.
        name = f"{monotonic_ns():020d}_{next(_PUT_COUNT):012d}_{uuid.uuid4()}.{queue}.msg"
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


    def _read_table(self, f_obj) -> list:
        f_obj.seek(0)
        raw = f_obj.read()
        return [exchange_queue_t(*q) for q in loads(bytes_to_str(raw))] if raw.strip() else []

    def get_table(self, exchange):
        file = self._exchange_file(exchange)  # type: ignore[attr-defined]  # kombu's, checks the name
        try:
            with file.open("rb") as f_obj:
                lock(f_obj, LOCK_SH)
                try:
                    return self._read_table(f_obj)
                finally:
                    unlock(f_obj)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        file = self._exchange_file(exchange)  # type: ignore[attr-defined]  # kombu's, checks the name
        self.control_folder.mkdir(exist_ok=True)
        binding = exchange_queue_t(routing_key or "", pattern or "", queue or "")
        try:
            # "a+b" creates the file if it is missing and never truncates it: every process locks
            # the same file, and only the one holding the lock reads or writes it.
            with file.open("a+b", buffering=0) as f_obj:
                lock(f_obj, LOCK_EX)
                try:
                    bindings = self._read_table(f_obj)
                    if binding not in bindings:
                        bindings.insert(0, binding)
                        f_obj.truncate(0)
                        f_obj.write(str_to_bytes(dumps(bindings)))  # appended: at 0 after the truncate
                finally:
                    unlock(f_obj)
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc


class Transport(filesystem.Transport):
    Channel = Channel
