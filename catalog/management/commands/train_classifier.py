"""Train a new version of the learned classifier now (the periodic task does it every six
hours when something changed): ``manage.py train_classifier [--force]``."""

from django.core.management.base import BaseCommand

from catalog.retrain import do_train_classifier


class Command(BaseCommand):
    help = "Train a new version of the learned classifier from the catalogue and confirmed cases."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="even if nothing changed")

    def handle(self, *args, force=False, **options):
        model = do_train_classifier(force=force)
        if model is None:
            self.stdout.write("nothing changed since the newest version; not trained")
            return
        figures = (
            f"held-out top-1 {model.top1:.1%}, top-3 {model.top3:.1%}, "
            f"abstention {model.abstention:.1%}, precision {model.precision:.1%}"
            if model.top1 is not None
            else "too few confirmed cases to measure"
        )
        self.stdout.write(
            f"classifier v{model.version}: {model.n_seed} catalogue examples, "
            f"{model.n_confirmed} confirmed cases, {model.n_categories} entries; {figures}"
        )
