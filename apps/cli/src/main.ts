import 'reflect-metadata';
import { isApiRole } from '@app/config';
import { sendCommand, splitOptions, validateCommand } from './cap-commands';
import { createApiKey, migrate, provinceOptions, revert, seed, seedProvinceCommand, withDataSource } from './commands';
import { USER_USAGE, userCommand } from './user-commands';
import { isServeApp, serve, SERVE_APPS } from './serve';
import { up } from './up';

const USAGE = `jiaoying <command>
  up                               demo: migrate, load the demo district, start every app
  serve <app>                      run one app in this process, no demo data, no keys (app: ${SERVE_APPS.join('|')})
  migrate | migrate:revert         apply all pending migrations | revert the last one
  seed-demo [--force]              load the demo district (铜梁区, 丰都县)
  seed-province [--counties 38] [--towns 1000] [--villages 11000] [--persons 200000] [--zones-per-village 2] [--force]
                                   load a SYNTHETIC province for load tests (codes 5098…; sizes not given scale with --counties)
  api-key <name> <role> <region>   issue an API key (role: ingest|duty_officer|commander|admin)
${USER_USAGE}
  validate <file|dir>…             check CAP messages offline, same rules and messages as the API (exit 1 if any is invalid)
  send <file|dir>… --url <base> --key <api key>
                                   post CAP messages to a running service and print each answer`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'up':
      await up();
      return -1;
    case 'serve':
      if (!isServeApp(args[0])) {
        console.error(USAGE);
        return 2;
      }
      await serve(args[0]);
      return -1;
    case 'validate': {
      if (args.length === 0) {
        console.error(USAGE);
        return 2;
      }
      return validateCommand(args, (line) => console.log(line));
    }
    case 'send': {
      const { positional, options } = splitOptions(args);
      if (positional.length === 0 || !options.url || !options.key) {
        console.error(USAGE);
        return 2;
      }
      return sendCommand(positional, options.url, options.key, (line) => console.log(line));
    }
    case 'migrate':
      await migrate();
      return 0;
    case 'migrate:revert':
      await revert();
      return 0;
    case 'seed-demo':
      await seed(args.includes('--force'));
      return 0;
    case 'seed-province': {
      const { positional, options } = splitOptions(args.filter((a) => a !== '--force'));
      const size = provinceOptions(options);
      if (!size || positional.length > 0) {
        console.error(USAGE);
        return 2;
      }
      await seedProvinceCommand(size, args.includes('--force'));
      return 0;
    }
    case 'user': {
      const lines = await withDataSource((ds) => userCommand(ds, args));
      if (!lines) {
        console.error(USAGE);
        return 2;
      }
      lines.forEach((line) => console.log(line));
      return 0;
    }
    case 'api-key': {
      const [name, role, region] = args;
      if (!name || !isApiRole(role) || !/^\d{6,12}$/.test(region ?? '')) {
        console.error(USAGE);
        return 2;
      }
      console.log(await createApiKey(name, role, region));
      return 0;
    }
    default:
      console.error(USAGE);
      return command ? 2 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) {
      process.exit(code);
    }
  },
  (e: Error) => {
    console.error(e.message);
    process.exit(1);
  },
);
