# Kept apart from gridgov.api: DRF imports authentication classes while rest_framework.views
# is still loading, so this module must not import views.
from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"
