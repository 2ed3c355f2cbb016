/**
 * 004: jobs submitted to the service run later, one at a time: who submitted them, when they
 * started, their progress (stage, units done of total, when it last moved) and why they failed.
 * Rows the CLI writes are finished jobs and leave these empty.
 */
import type { Migration } from './index.js';

/** Submission, progress and failure of jobs. */
export const jobProgress: Migration = {
  name: '004_job_progress',
  statements: [
    `ALTER TABLE jobs
      ADD COLUMN submitted_by text,
      ADD COLUMN started_at timestamptz,
      ADD COLUMN progress jsonb,
      ADD COLUMN error text,
      ADD CONSTRAINT jobs_state CHECK (state IN ('queued', 'running', 'succeeded', 'failed'))`,
    `CREATE INDEX jobs_queued ON jobs (id) WHERE state = 'queued'`,
  ],
};
