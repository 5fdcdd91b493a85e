from django.db import migrations

# The database refuses what essays.freeze forbids, whatever path the write takes (QuerySet.update,
# raw SQL, a shell): a criterion of a round with a submitted score sheet keeps its round, name,
# maximum points and weight, and is neither added nor deleted (nor in a closed round), unless rubric_amend set
# `essays.rubric_amend` for its own transaction; a screened essay keeps its content.
# PostgreSQL only (the SQLite of local runs has the model backstop, essays.signals). TRUNCATE,
# which flushes test databases, fires no row trigger.
POSTGRES_UP = """
CREATE FUNCTION essays_rubric_frozen(round bigint) RETURNS boolean AS $$
    SELECT EXISTS (SELECT 1 FROM essays_judginground WHERE id = round AND status = 'closed')
        OR EXISTS (SELECT 1 FROM essays_assignment WHERE round_id = round AND status = 'submitted');
$$ LANGUAGE sql STABLE;
CREATE FUNCTION essays_criterion_frozen() RETURNS trigger AS $$
BEGIN
    IF current_setting('essays.rubric_amend', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.round_id = OLD.round_id AND NEW.name = OLD.name
       AND NEW.max_points = OLD.max_points AND NEW.weight = OLD.weight THEN
        RETURN NEW;
    END IF;
    IF (TG_OP <> 'INSERT' AND essays_rubric_frozen(OLD.round_id))
       OR (TG_OP <> 'DELETE' AND essays_rubric_frozen(NEW.round_id)) THEN
        RAISE EXCEPTION 'essays_criterion: the rubric of a round with a submitted score sheet is frozen'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER essays_criterion_frozen BEFORE INSERT OR UPDATE OR DELETE ON essays_criterion
FOR EACH ROW EXECUTE FUNCTION essays_criterion_frozen();

CREATE FUNCTION essays_essay_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'essays_essay: a screened essay keeps its content'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER essays_essay_frozen BEFORE UPDATE ON essays_essay
FOR EACH ROW WHEN (OLD.eligibility <> 'pending' AND (
    OLD.phase_id, OLD.submitter_id, OLD.title, OLD.subject_kind, OLD.subject_name,
    OLD.subject_organization_id, OLD.body, OLD.declares_real, OLD.declares_unpublished
) IS DISTINCT FROM (
    NEW.phase_id, NEW.submitter_id, NEW.title, NEW.subject_kind, NEW.subject_name,
    NEW.subject_organization_id, NEW.body, NEW.declares_real, NEW.declares_unpublished
))
EXECUTE FUNCTION essays_essay_frozen();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS essays_criterion_frozen ON essays_criterion;
DROP FUNCTION IF EXISTS essays_criterion_frozen();
DROP FUNCTION IF EXISTS essays_rubric_frozen(bigint);
DROP TRIGGER IF EXISTS essays_essay_frozen ON essays_essay;
DROP FUNCTION IF EXISTS essays_essay_frozen();
"""


def trigger_up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def trigger_down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("essays", "0007_judging_round_deadline")]

    operations = [migrations.RunPython(trigger_up, trigger_down)]
