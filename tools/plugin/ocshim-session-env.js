// ocshim-session-env.js - ocshim's opencode plugin: OPENCODE_SESSION_ID in every command an
// opencode tool runs, set by opencode itself (its shell.env hook names the session whose tool
// runs the command). It matters where the shim cannot know: `opencode serve`/`web`, which run
// the commands of every client's session in one process. Installed with
// `ocshim init opencode > ~/.config/opencode/plugin/ocshim-session-env.js`.
export const OcshimSessionEnv = async () => ({
  "shell.env": async (input, output) => {
    if (input && typeof input.sessionID === "string" && /^ses_[A-Za-z0-9]{1,59}$/.test(input.sessionID))
      output.env.OPENCODE_SESSION_ID = input.sessionID;
  },
});
