-- 0008: fewer writes per job. Every state change of a job is an UPDATE that
-- PostgreSQL cannot do in place (state is in the partial indexes'
-- conditions), so each index of jobs gets a new entry at every step and every
-- CHECK constraint runs again. Measured with ops/bench/queue (BENCHMARKS.md):
-- jobs_tenant alone took server CPU from 64 to 85 µs per job.
--
-- * jobs_tenant goes: a tenant's pending jobs are found through
--   jobs_available and jobs_waiting, and its runs' jobs by primary key;
--   ListJobs filtered by tenant scans newest-first by id instead (admin only).
-- * The kind's pattern is checked where jobs are enqueued (JobQueue), not by
--   a regular expression at every update.
DROP INDEX jobs_tenant;
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_length CHECK (length(kind) BETWEEN 1 AND 64);
