"""Rate limits per API key (each key has its own requests-per-minute)."""

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self):
        return None  # set per request from the key

    def allow_request(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey) or not key.rate_limit:
            return True
        self.num_requests, self.duration = key.rate_limit, 60
        self.key = self.cache_format % {"scope": self.scope, "ident": key.prefix}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def get_cache_key(self, request, view):
        return None
