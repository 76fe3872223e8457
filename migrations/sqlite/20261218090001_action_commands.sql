-- An action keeps the command it runs (app::ports::ActionCommand as JSON): the action sweeper
-- reads the resource it changes to settle an outcome left unknown (AWS gave no clear answer, or
-- the process stopped midway). Actions recorded before have none and are settled as unknown.
ALTER TABLE actions ADD COLUMN command TEXT;

-- What the sweeper looks for: actions still running or being checked, oldest first.
CREATE INDEX IF NOT EXISTS actions_unsettled ON actions (state, created_at);
