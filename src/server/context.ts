/** What every route is given; kept out of `app.ts`, which imports the routes, so that no route imports it back. */
import type { StageDeadlines } from '../cases/deadlines.js';
import type { Database } from '../db/connect.js';
import type { JobQueue } from '../pipeline/run/job-queue.js';

/** What the routes share. */
export interface AppContext {
  db: Database;
  evidenceDir: string;
  jobsDir: string;
  /** The queue that runs submitted jobs, one at a time. */
  jobs: JobQueue;
  deadlines: StageDeadlines;
  writesPerMinute: number;
}
