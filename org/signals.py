from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from org.models import GridMapVersion, OrgNode


@receiver(post_save, sender=OrgNode)
@receiver(post_delete, sender=OrgNode)
def grid_geometry_changed(sender, instance, **kwargs):
    if instance.grid_kind:
        GridMapVersion.bump()
