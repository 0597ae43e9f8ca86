"""drf-spectacular's description of the hotline key (imported by the API views)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HotlineKeyScheme(OpenApiAuthenticationExtension):
    target_class = "exchange.api.authentication.HotlineKeyAuthentication"
    name = "hotlineApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "热线系统的接口密钥: `Authorization: Api-Key <key>`",
        }
