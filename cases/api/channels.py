"""``GET /api/v1/channels/``: the intake channels an integrator may name in a case's
``channel``: the platform's own (``cases.config.PLATFORM_CHANNELS``) and the active
preset's, each with its name and whether the public reports through it."""

from rest_framework import generics, serializers

from cases.config import channel_names

# Channels whose cases staff or systems find and report (a grid worker's round, a visit,
# a diary, city-management and video systems, an external system through the API); every
# other channel is one that residents reach themselves (码上办, Open311, an app, hotlines,
# mailboxes, chat groups, walk-ins…).
STAFF_CHANNELS = {"grid_report", "visit", "diary", "city_management_system", "video", "api"}


class ChannelSerializer(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField()
    public = serializers.BooleanField(help_text="居民自己通过此渠道反映(而非工作人员或系统上报)")


class ChannelList(generics.ListAPIView):
    """受理渠道: the platform's channels, then the preset's, in the order it lists them."""

    serializer_class = ChannelSerializer
    filter_backends = []

    def get_queryset(self):
        return [
            {"code": code, "name": name, "public": code not in STAFF_CHANNELS}
            for code, name in channel_names().items()
        ]
