"""App configuration the portal needs in place of Django's own."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class PortalStaticFilesConfig(StaticFilesConfig):
    """Static files without the tooling of static/vendor/.

    static/vendor/ holds the npm manifest, lock file, update script and README next to the files they copy
    there; collectstatic (and so whitenoise in production) must publish only the copied files. The patterns
    are matched against paths relative to a static folder.
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "vendor/package.json",
        "vendor/package-lock.json",
        "vendor/update.sh",
        "vendor/README.md",
    ]
