from django.db import models
from django.urls import reverse


class Story(models.Model):
    headline = models.CharField(max_length=300)
    slug = models.SlugField(unique=True)
    standfirst = models.TextField(blank=True)
    body = models.TextField()

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return reverse("story", kwargs={"slug": self.slug})

    @property
    def paragraphs(self):
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]
