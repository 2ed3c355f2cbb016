/**
 * 005: the head of each case's event chain, kept in the case row: the hash of its newest event and
 * that event's sequence number (the count of an intact chain), so that events deleted from the end
 * of a chain show. Only appending an event moves the head, and only by that one event: a trigger
 * on case_events moves it, and a trigger on cases refuses any other change of it (a new case
 * starts with none). Existing cases get the head of the chain they have.
 */
import type { Migration } from './index.js';

/** The chain head in the case row, moved by the append path only. */
export const caseHead: Migration = {
  name: '005_case_head',
  statements: [
    `ALTER TABLE cases ADD COLUMN head_hash text, ADD COLUMN event_count integer NOT NULL DEFAULT 0`,
    `UPDATE cases c SET head_hash = e.hash, event_count = e.seq
     FROM (SELECT DISTINCT ON (case_id) case_id, hash, seq FROM case_events ORDER BY case_id, seq DESC) e
     WHERE e.case_id = c.id`,
    // search_path as the migration ran, so that the triggers find this schema's tables from any session
    `CREATE FUNCTION advance_case_head() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE cases SET head_hash = NEW.hash, event_count = NEW.seq WHERE id = NEW.case_id;
        RETURN NEW;
      END $$`,
    `CREATE TRIGGER case_events_advance_head AFTER INSERT ON case_events
      FOR EACH ROW EXECUTE FUNCTION advance_case_head()`,
    `CREATE FUNCTION guard_case_head() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.head_hash IS NOT NULL OR NEW.event_count <> 0 THEN
            RAISE EXCEPTION 'a new case has no events yet: its head_hash and event_count are set by appending events';
          END IF;
        ELSIF NOT EXISTS (
          SELECT 1 FROM case_events e
          WHERE e.case_id = NEW.id AND e.seq = OLD.event_count + 1 AND e.prev_hash IS NOT DISTINCT FROM OLD.head_hash
            AND e.seq = NEW.event_count AND e.hash = NEW.head_hash) THEN
          RAISE EXCEPTION 'the head of case % moves only to the event appended after it: head_hash and event_count refused', OLD.id;
        END IF;
        RETURN NEW;
      END $$`,
    `CREATE TRIGGER cases_head_on_insert BEFORE INSERT ON cases
      FOR EACH ROW EXECUTE FUNCTION guard_case_head()`,
    `CREATE TRIGGER cases_head_on_update BEFORE UPDATE ON cases
      FOR EACH ROW WHEN (OLD.head_hash IS DISTINCT FROM NEW.head_hash OR OLD.event_count IS DISTINCT FROM NEW.event_count)
      EXECUTE FUNCTION guard_case_head()`,
  ],
};
