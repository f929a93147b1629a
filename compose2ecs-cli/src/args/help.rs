//! The long help of the commands: what `--help` prints after the options.

pub(crate) const AFTER_HELP: &str = "\
Examples:
  compose2ecs convert                  # compose.yaml + compose2ecs.yaml -> ecs/
  compose2ecs convert -f compose.yaml -f compose.prod.yaml -o deploy/
  compose2ecs convert --check -o ecs   # CI: fail when ecs/ is stale
  aws ecs register-task-definition \\
      --cli-input-json \"$(compose2ecs convert --stdout --family shop-web)\"
  compose2ecs deploy                   # jobs, then services, in dependency order
  compose2ecs run migrate              # one task to completion; its exit code
  compose2ecs logs web --follow        # CloudWatch lines, as docker compose logs
  compose2ecs deploy --build           # buildx bake, push to ECR, deploy by digest
  compose2ecs plan                     # what deploy would change, and what it costs
  compose2ecs policy                   # the execution role's IAM policy
  compose2ecs config --format json     # the merged, interpolated project
  compose2ecs schema overlay           # for editors (yaml-language-server)

Exit status: 0 success, 1 input rejected (nothing written) or an AWS call
failed, 2 usage error; `run` exits with the container's exit code.";

pub(crate) const CONVERT_HELP: &str = "\
Examples:
  compose2ecs convert                  # compose.yaml + compose2ecs.yaml -> ecs/
  compose2ecs convert -f compose.yaml -f compose.prod.yaml -o deploy/
  compose2ecs convert --check -o ecs   # CI: fail when ecs/ is stale
  compose2ecs convert --strict --format json   # CI: warnings fail, JSON for tools
  compose2ecs convert --stdout --family shop-web   # for --cli-input-json \"$(…)\"
  compose2ecs convert --target cloudformation -o infra   # infra/<project>.cloudformation.yaml

Exit status: 0 written (or up to date), 1 input rejected (nothing written) or,
with --check, the folder is out of date; 2 usage error.";

pub(crate) const INIT_HELP: &str = "\
Examples:
  compose2ecs init                     # compose.yaml -> compose2ecs.yaml beside it
  AWS_REGION=eu-west-1 compose2ecs init -f docker-compose.yml

Every `${NAME:?…}` in the file is a placeholder: replace it (or set NAME in the
environment) and `compose2ecs convert` takes it from there; until then it
refuses with the placeholder's line.

Exit status: 0 written, 1 the file exists or the project does not load.";

pub(crate) const REGISTER_HELP: &str = "\
Examples:
  compose2ecs register               # every family, with your `aws`
  AWS_PROFILE=prod compose2ecs register --family shop-web
  compose2ecs register --dry-run     # the aws commands, nothing run

Exit status: 0 all registered, 1 input rejected or a registration failed (the others are still reported).";

pub(crate) const DEPLOY_HELP: &str = "\
Examples:
  compose2ecs deploy                 # register, create or update, watch
  compose2ecs deploy --family shop-web --timeout 900
  compose2ecs deploy --no-wait       # return once the services are updated
  compose2ecs deploy --dry-run       # the aws commands, nothing run

Families are deployed in the order their compose services depend on each other.
Jobs (one-shot services: restart: \"no\", or awaited with
service_completed_successfully) run with `aws ecs run-task` and must stop with
exit code 0 before anything that depends on them is deployed; a failed job
stops the deploy with its exit code, stop reason and last log lines. Between
stages, deploy waits for the services later families depend on; --no-wait only
skips watching the last services started.

Exit status: 0 every deployment completed (or, with --no-wait, was started), 1 input rejected,
a call failed, a job failed, a deployment FAILED, or the timeout passed.";

pub(crate) const PLAN_HELP: &str = "\
Examples:
  compose2ecs plan                     # what deploy would change
  compose2ecs plan --family shop-web --format json
  compose2ecs plan || [ $? -eq 3 ]     # CI: fail only on errors, not on changes

The live task definition (latest ACTIVE revision) and service are compared
member by member with the conversion, after dropping what ECS adds
(revision, status, registeredAt, …) and the defaults it fills in. Values of
variables whose names look like credentials are not shown.

Exit status: 0 nothing would change, 3 changes pending (not 2, which is a
usage error), 1 input rejected or a call failed.";

pub(crate) const BUILD_HELP: &str = "\
Examples:
  compose2ecs build                    # every service with `build:`
  compose2ecs build web --dry-run      # the bake override and command, nothing run

Each image is tagged as its task definition runs it (`images.registry` and
`images.tag`, or `services.<name>.image`), for the task's platform
(linux/arm64 for ARM64 tasks, else linux/amd64), with compose's build args
and target; bake reads the compose files itself.

Exit status: 0 built, 1 input rejected or the build failed.";

pub(crate) const PUSH_HELP: &str = "\
Examples:
  compose2ecs push                     # then: deploy --image-digests ecs/image-digests.json
  compose2ecs deploy --build           # build, push and deploy by digest in one go

ECR repositories that do not exist are created (images.scan_on_push,
images.immutable_tags); Docker logs in with `aws ecr get-login-password`
piped to `docker login --password-stdin`, so the password is never an
argument. Each pushed image's digest is recorded (--digests).

Exit status: 0 pushed, 1 input rejected, a call failed or a push failed.";

pub(crate) const LOGS_HELP: &str = "\
Examples:
  compose2ecs logs                     # every service, everything kept
  compose2ecs logs web worker --since 10m
  compose2ecs logs web --follow        # and new lines as they come (Ctrl-C ends)
  compose2ecs logs --since 2026-12-03T08:00:00Z --timestamps

The lines come from the log groups and stream prefixes the conversion sets
(awslogs), through `aws logs filter-log-events`. With --format json, each line
is a JSON object (service, timestamp, time, stream, message).

Exit status: 0 read (a log group that does not exist yet is said and skipped),
1 input rejected, a service without CloudWatch logs, or a call failed.";

pub(crate) const PS_HELP: &str = "\
Examples:
  compose2ecs ps
  compose2ecs ps --env prod --format json

One row per compose service that runs as an ECS service (`docker compose ps`'s
layout), then the jobs and scheduled tasks with their last run. A service not
deployed yet says so.

Exit status: 0 listed, 1 input rejected or a call failed.";

pub(crate) const EXEC_HELP: &str = "\
Examples:
  compose2ecs exec web                 # sh in a running task of web
  compose2ecs exec web -- rails console
  compose2ecs exec web --container envoy --task 0a1b2c3d -- env

Needs `exec: true` for the service in compose2ecs.yaml (then deploy), a task
role with `compose2ecs policy --task-role`, and the Session Manager plugin for
the AWS CLI.

Exit status: the command's, 1 when there is no task to enter or a call failed.";

pub(crate) const SCALE_HELP: &str = "\
Examples:
  compose2ecs scale web=3
  compose2ecs scale web=0 worker=2 --env staging

A service that scales (`scaling:`) takes a count within its min and max; the
scaler may change it again.

Exit status: 0 set, 1 input rejected, a count out of range, or a call failed.";

pub(crate) const DOWN_HELP: &str = "\
Examples:
  compose2ecs down --dry-run           # what would be removed
  compose2ecs down                     # asks first on a terminal
  compose2ecs down --yes --deregister  # in CI, task definitions too

Only resources tagged compose2ecs:project=<this project> are removed; one of
the same name without the tag is said and left alone.

Exit status: 0 removed (or nothing to remove), 1 refused, not confirmed, or a
call failed.";

pub(crate) const RUN_HELP: &str = "\
Examples:
  compose2ecs run migrate                   # the job, as compose defines it
  compose2ecs run web -- python manage.py createsuperuser --noinput
  compose2ecs run migrate --dry-run         # the aws commands, nothing run

The task runs where the service's tasks run: its cluster, launch type and
network (compose2ecs.yaml). The command after `--` replaces the container's
`command`, as `docker compose run SERVICE CMD…` does.

Exit status: the container's own exit code once the task has stopped; 1 input
rejected, a call failed, the task stopped without an exit code, or the timeout
passed.";
