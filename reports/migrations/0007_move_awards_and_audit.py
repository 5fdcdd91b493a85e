"""Certificates and winners' details moved to the app `awards`, the integrity review's decisions
to `audit`. No row moves: the tables are renamed here (reports_certificate → awards_certificate,
…, the decisions' users table with them, and the indexes named after them), and the models leave
reports' state; awards 0001 and audit 0001 take them into theirs and move the content types (and
so the permissions)."""

from django.db import migrations

# The indexes Django named after their table take the names the new app's state gives them.
INDEXES = [
    ("certificate", "reports_cer_user_id_c3bd94_idx", "awards_cert_user_id_b3ed4f_idx"),
    ("winnerdetailsrequest", "reports_win_prize_i_7947de_idx", "awards_winn_prize_i_9f3c38_idx"),
    ("winnerdetailsrequest", "reports_win_essay_p_d729d0_idx", "awards_winn_essay_p_db50d5_idx"),
]
MOVED = {
    "certificate": "awards_certificate",
    "winnerdetails": "awards_winnerdetails",
    "winnerdetailsaccess": "awards_winnerdetailsaccess",
    "winnerdetailsrequest": "awards_winnerdetailsrequest",
    "integritydecision": "audit_integritydecision",
}


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_winner_details_request"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                *(migrations.RenameIndex(model, new_name=new, old_name=old) for model, old, new in INDEXES),
                *(migrations.AlterModelTable(name, table) for name, table in MOVED.items()),
            ],
            state_operations=[
                migrations.DeleteModel("WinnerDetailsAccess"),
                migrations.DeleteModel("WinnerDetailsRequest"),
                migrations.DeleteModel("WinnerDetails"),
                migrations.DeleteModel("Certificate"),
                migrations.DeleteModel("IntegrityDecision"),
            ],
        ),
    ]
