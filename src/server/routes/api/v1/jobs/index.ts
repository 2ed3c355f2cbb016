/**
 * `POST /api/v1/jobs` queues a detect job, or with `"kind": "survey"` a survey job (checked first:
 * a bad spec is 400 naming the field and queues nothing); `GET /api/v1/jobs` and `GET /api/v1/jobs/:id` show jobs, newest first, with
 * their progress, summary or error. Jobs run on the PostgreSQL queue, taken by the services and
 * `zhiwei worker`s sharing the database, or on the embedded database in the service process one at
 * a time (`server/job-runner.ts`). A job's map tiles are in `tiles.ts`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { findJob, insertQueuedJob, listJobs, nextJobId } from '../../../../../db/jobs.js';
import { NotFoundError } from '../../../../../errors.js';
import type { AppContext } from '../../../../context.js';
import { caller } from '../../../../plugins/auth.js';
import { Job, JobList, JobListQuery, JobParams, JobSubmissionBody, jobView } from './schemas.js';
import { checkSubmission } from './submit.js';
import { jobTileRoutes } from './tiles.js';

const readers = ['analyst', 'reviewer', 'supervisor'] as const;

/** The job routes. */
export const jobRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  await app.register(jobTileRoutes, context);
  app.post(
    '/jobs',
    {
      config: { roles: ['analyst'], rateLimit: { max: context.writesPerMinute, timeWindow: '1 minute' } },
      schema: {
        summary: 'queue a detect or survey job on files the service can read',
        description:
          'The body holds the keys of a `zhiwei detect` job spec, or with `"kind": "survey"` those of a `zhiwei survey` job spec. On a PostgreSQL server jobs run on the queue shared by the services and workers; on the embedded database one at a time, oldest first. Poll the job for its progress.',
        body: JobSubmissionBody,
        response: { 202: Job },
      },
    },
    async (request, reply) => {
      const id = await nextJobId(context.db.knex);
      const checked = await checkSubmission(context.db, request.body, { id, jobsDir: context.jobsDir });
      const { kind, job, layers } = checked;
      await insertQueuedJob(context.db.knex, {
        id, kind, spec: { ...job, layers }, submittedBy: caller(request).name, outDir: job.out,
        ...(checked.kind === 'survey'
          ? { beforeDate: null, afterDate: checked.job.date, model: null }
          : { beforeDate: checked.job.beforeDate ?? null, afterDate: checked.job.afterDate ?? null, model: checked.job.model }),
      });
      // read before the runner may start it: the answer shows the job as submitted
      const queued = await findJob(context.db.knex, id);
      await context.jobs.submitted({ id, kind });
      return reply.code(202).header('location', `/api/v1/jobs/${id}`).send(jobView(queued!));
    },
  );
  app.get(
    '/jobs',
    { config: { roles: [...readers] }, schema: { summary: 'list jobs, newest first', querystring: JobListQuery, response: { 200: JobList } } },
    async (request) => {
      const { limit, offset, state } = request.query;
      const jobs = await listJobs(context.db.knex, { limit: limit + 1, offset, state });
      return { jobs: jobs.slice(0, limit).map(jobView), next_offset: jobs.length > limit ? offset + limit : null };
    },
  );
  app.get(
    '/jobs/:id',
    { config: { roles: [...readers] }, schema: { summary: 'a job: state, progress, timings, summary or error', params: JobParams, response: { 200: Job } } },
    async (request) => {
      const job = await findJob(context.db.knex, request.params.id);
      if (!job) throw new NotFoundError(`no job ${request.params.id}`);
      return jobView(job);
    },
  );
};
