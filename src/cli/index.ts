import { runCli } from './main';

void runCli({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
