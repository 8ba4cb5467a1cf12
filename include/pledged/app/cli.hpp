#pragma once
// The `pledged` command line (API.md): serve, migrate, campaign create, reconcile, webhooks, and
// token create [--expires]|list|revoke.
// Exit status: 0 success, 2 bad usage, 1 failure, with one clear line on stderr.
namespace pledged {

int run_cli(int argc, char** argv);

}  // namespace pledged
