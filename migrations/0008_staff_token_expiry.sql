-- Staff tokens may expire (`pledged token create --expires 90d`). NULL: the token lives
-- until it is revoked, as every token made before this migration does. The gate compares
-- it with the database's now() at each sign-in, so an expired token is refused exactly
-- as an unknown one, whatever the clocks of the instances say.
-- No CHECK against created_at: the expiry is set from the same now() by the repository,
-- and a token whose expiry is already past is simply refused.
ALTER TABLE staff_tokens ADD COLUMN expires_at timestamptz;
