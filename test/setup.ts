// Ink renders only the last frame when it believes it runs in CI (is-in-ci reads CI at import), so
// the TUI tests unset CI before anything imports ink. Child processes inherit this environment.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
