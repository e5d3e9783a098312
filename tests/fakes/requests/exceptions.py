"""Fake requests.exceptions: the hierarchy of requests 2.x."""


class RequestException(IOError):
    def __init__(self, *args, **kwargs):
        self.response = kwargs.pop("response", None)
        self.request = kwargs.pop("request", None)
        super().__init__(*args)


class HTTPError(RequestException):
    pass


class ConnectionError(RequestException):  # noqa: A001 (the name requests uses)
    pass


class ProxyError(ConnectionError):
    pass


class SSLError(ConnectionError):
    pass


class Timeout(RequestException):
    pass


class ConnectTimeout(ConnectionError, Timeout):
    pass


class ReadTimeout(Timeout):
    pass


class URLRequired(RequestException):
    pass


class TooManyRedirects(RequestException):
    pass


class InvalidURL(RequestException, ValueError):
    pass


class JSONDecodeError(RequestException, ValueError):
    pass


class RetryError(RequestException):
    pass


class WouldReachNetwork(ConnectionError):
    """Raised by the fakes under FAKE_CLIENTS_STRICT=1 instead of opening a connection."""
