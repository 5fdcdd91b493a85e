import django.core.validators
from django.db import migrations, models

PER_DAY = dict(
    blank=True,
    help_text="Tính theo ngày lịch ở Việt Nam (0:00–24:00). Bỏ trống: không giới hạn.",
    null=True,
    validators=[django.core.validators.MinValueValidator(1)],
    verbose_name="số lượt thi tối đa mỗi ngày",
)
INTERVAL = dict(
    blank=True,
    help_text="Tính từ lúc bắt đầu lượt trước đến lúc bắt đầu lượt sau. Bỏ trống: không giới hạn.",
    null=True,
    validators=[django.core.validators.MinValueValidator(1)],
    verbose_name="khoảng cách tối thiểu giữa hai lượt (phút)",
)


class Migration(migrations.Migration):
    """Rounds that exist were sealed and played without these limits: they get none (NULL). Only
    rounds created from now on start from the defaults (2 a day, 30 minutes)."""

    dependencies = [
        ("quiz", "0006_text_length_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="round", name="attempts_per_day", field=models.PositiveSmallIntegerField(default=None, **PER_DAY)
        ),
        migrations.AddField(
            model_name="round", name="min_start_interval_minutes", field=models.PositiveIntegerField(default=None, **INTERVAL)
        ),
        migrations.AlterField(
            model_name="round", name="attempts_per_day", field=models.PositiveSmallIntegerField(default=2, **PER_DAY)
        ),
        migrations.AlterField(
            model_name="round", name="min_start_interval_minutes", field=models.PositiveIntegerField(default=30, **INTERVAL)
        ),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.CheckConstraint(
                condition=models.Q(("attempts_per_day__isnull", True), ("attempts_per_day__gte", 1), _connector="OR"),
                name="round_attempts_per_day_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("min_start_interval_minutes__isnull", True), ("min_start_interval_minutes__gte", 1), _connector="OR"
                ),
                name="round_start_interval_positive",
            ),
        ),
    ]
