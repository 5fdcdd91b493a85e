"""The question bank: a question and its options written by code (the Excel import, the admin),
its image, and the guard that keeps a sealed question as it was."""

from django.db import transaction
from django.utils.translation import gettext as _

from quiz.enums import QuestionStatus
from quiz.errors import SealedError
from quiz.models import Field, Option, Question
from quiz.selectors import question_changes, question_is_sealed


def guard_question_unsealed(question_id: int | None) -> None:
    if question_id and question_is_sealed(question_id):
        raise SealedError(
            _("Câu hỏi này đã nằm trong bộ câu hỏi được duyệt và niêm phong; không thể sửa hay xoá câu hỏi và đáp án.")
        )


def question_validate_options(options: list[tuple[str, bool]]) -> list[str]:
    """Problems with a question's options (text, is_correct): 2–6 options, exactly one correct."""
    problems = []
    filled = [(t, c) for t, c in options if t and t.strip()]
    if not 2 <= len(filled) <= 6:
        problems.append(_("cần từ 2 đến 6 phương án"))
    correct = sum(1 for _t, c in filled if c)
    if correct != 1:
        problems.append(_("cần đúng một phương án đúng"))
    return problems


@transaction.atomic
def question_upsert(
    *, code: str, field: Field, text: str, options: list[str], correct_index: int, source: str = "",
    status: str = QuestionStatus.APPROVED, author=None,
) -> tuple[Question, bool]:  # fmt: skip
    """Create or update a question by code, with its options A, B, C … (correct_index into them).

    The same question again (normalized text compared) writes nothing, sealed or not; a change
    to a sealed question raises SealedError."""
    question = Question.objects.select_for_update().select_related("field").filter(code=code).first()
    created = question is None
    if created:
        question = Question(code=code, author=author)
    else:
        changes = question_changes(
            question, field_name=field.name, text=text, options=options, correct_index=correct_index, source=source,
            status=status,
        )  # fmt: skip
        if not changes:
            return question, False
        guard_question_unsealed(question.pk)
    question.field, question.text, question.source, question.status = field, text, source, status
    question.save()
    wanted = {letter: (option_text, i == correct_index) for i, (letter, option_text) in enumerate(zip("ABCDEF", options))}
    Option.objects.filter(question=question).exclude(letter__in=wanted).delete()
    # Clear the correct flag first so the "one correct option" constraint holds at every step.
    Option.objects.filter(question=question).update(is_correct=False)
    for letter, (option_text, is_correct) in wanted.items():
        Option.objects.update_or_create(
            question=question, letter=letter, defaults={"text": option_text, "is_correct": is_correct}
        )
    return question, created


@transaction.atomic
def question_image_set(*, question: Question, image=None, alt: str | None = None, remove: bool = False) -> Question:
    """Give a question an image (a quiz.images.PreparedImage), change its alt text, or remove
    it. A sealed question's image never changes (the signal stands behind the guard). The file
    is written before the row: a failure leaves at most an unused file, never a row without it."""
    from quiz.images import image_store

    question = Question.objects.select_for_update().get(pk=question.pk)
    sha, name, width, height = question.image_sha256, question.image.name, question.image_width, question.image_height
    if remove:
        sha, name, width, height = "", "", None, None
    elif image is not None:
        sha, name, width, height = image.sha256, image.name, image.width, image.height
    new_alt = question.image_alt if alt is None else alt
    if not sha:
        new_alt = ""
    if (sha, new_alt) == (question.image_sha256, question.image_alt):
        return question
    guard_question_unsealed(question.pk)
    if image is not None and not remove:
        image_store(image)
    question.image.name, question.image_sha256, question.image_width, question.image_height = name, sha, width, height
    question.image_alt = new_alt
    question.save(update_fields=["image", "image_sha256", "image_width", "image_height", "image_alt", "updated_at"])
    return question
