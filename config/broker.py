"""The Celery broker's Redis transport: kombu's, with a channel that finishes
closing when Redis has gone away."""

from queue import Empty

from kombu.transport import redis


class Channel(redis.Channel):
    """kombu's Redis channel (kombu 5.7.0), closing all the way when Redis is gone.

    kombu's close() first reads the reply to a BRPOP the channel is waiting
    on. With Redis gone that read raises a connection error before anything
    else is done, so the channel is left open: consumers registered, the
    messages it holds not handed back. A worker that lost Redis drops its
    connection twice (celery 5.7.0: collect(), then close()); the first
    detaches the transport, and the second finds the channel still open and
    tries to hand its messages back through the detached transport, which
    raises AttributeError ('NoneType' object has no attribute 'hostname').
    That is not a broker error, so it escapes the reconnect and the worker
    process exits.

    With Redis gone there is no reply to read, so the read's failure is
    expected here and the rest of the close goes on: the channel ends closed,
    and its unacknowledged messages are handed back when Redis answers, or
    come back after the visibility timeout when it does not.
    """

    def close(self):
        if self._in_poll:
            try:
                self._brpop_read()
            except (Empty, *self.connection_errors):
                pass
        super().close()


class RedisTransport(redis.Transport):
    Channel = Channel
