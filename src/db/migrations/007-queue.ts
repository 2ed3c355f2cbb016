/**
 * 007: detect jobs split into strip batches for `zhiwei worker` processes (`src/queue/`). A queued
 * job's plan (what its global steps decided: grid, vertical offset, ground, co-registration) is
 * stored on its row as JSON; each batch of grid rows [y0, y1) has a row holding its fused strips
 * (deflated) once a worker has done it, or the error of its last failed try, or why it was given
 * up (bad input that no retry mends: its rows are left blank in the results).
 */
import type { Migration } from './index.js';

/** The plan of a queued detect and its strip batches. */
export const queue: Migration = {
  name: '007_queue',
  statements: [
    `ALTER TABLE jobs ADD COLUMN plan jsonb`,
    `CREATE TABLE job_batches (
      job_id bigint NOT NULL REFERENCES jobs ON DELETE CASCADE,
      batch integer NOT NULL,
      y0 integer NOT NULL,
      y1 integer NOT NULL,
      state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed', 'given_up')),
      strip bytea,
      error text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (job_id, batch),
      CHECK (y0 < y1))`,
  ],
};
