"""kombu's Redis transport, with a closed connection reported as a connection error.

When the broker goes away, Celery 5.7's worker collects the broken connection and then closes it
again. The first pass detaches the transport from its connection; on the second, a channel still
open requeues its unacknowledged messages and asks for its Redis parameters from the detached
connection: that raises AttributeError, which is no connection error, so the worker stops with
"Unrecoverable error" instead of reconnecting. A task ending later is caught the same way when its
late acknowledgement goes out on a channel of the old connection. Here that channel raises redis'
ConnectionError instead: the close goes on as for any broker outage, the acknowledgement is logged
as not sent (the message comes back to a worker if the broker still holds it), and the worker
reconnects.

Selected by `CELERY_BROKER_TRANSPORT` in settings when the broker URL is `redis://` or `rediss://`.
"""

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport is None or transport.client is None:
            raise RedisConnectionError("this channel's broker connection is closed")
        # kombu-stubs leave out the private method this guards.
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]


class Transport(kombu_redis.Transport):
    Channel = Channel
