from django.contrib import admin  # noqa: F401 - the moderation desk registers its admins here
