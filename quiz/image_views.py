"""Serving a question's image (quiz.images decides who may see it)."""

import re

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from .images import image_read
from .models import Question
from .rules import may_see_image

SHA256 = re.compile(r"[0-9a-f]{64}")


@require_GET
def question_image(request, sha256: str):
    """The stored WebP, named by its SHA-256 (so it never changes: cached a week by the browser,
    privately). 404 for anyone who may not see it, as for an image that does not exist."""
    if not SHA256.fullmatch(sha256) or not may_see_image(request.user, sha256):
        raise Http404
    name = Question.objects.filter(image_sha256=sha256).values_list("image", flat=True).first()
    if not name:
        raise Http404
    try:
        data = image_read(name)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type="image/webp")
    response["Cache-Control"] = "private, max-age=604800, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
