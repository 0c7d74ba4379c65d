// Replaced by the agent runtime.
