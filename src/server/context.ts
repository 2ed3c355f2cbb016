/** What every route is given; kept out of `app.ts`, which imports the routes, so that no route imports it back. */
import type { StageDeadlines } from '../cases/deadlines.js';
import type { Database } from '../db/connect.js';
import type { JobRunner } from './job-runner.js';

/** What the routes share. */
export interface AppContext {
  db: Database;
  evidenceDir: string;
  jobsDir: string;
  /** What runs submitted jobs (the pg-boss queue on a server, in-process on the embedded database). */
  jobs: JobRunner;
  deadlines: StageDeadlines;
  writesPerMinute: number;
}
