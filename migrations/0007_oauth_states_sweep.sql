-- 0007: the server may delete consent states it no longer needs.
--
-- oauth_states (0004) only grew: a state is spent or expires, and its row
-- stayed. ConnectionService.sweepExpiredConsents deletes states an hour after
-- they expire (until then a late callback still reads "expired" rather than
-- "unknown"), in bounded batches. Numbered 0010 to stay clear of 0005-0009.

GRANT DELETE ON oauth_states TO ledgerbridge_app;
