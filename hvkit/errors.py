"""One exception type per stage; cli.main() turns them into one line + exit code."""


class HvkitError(Exception):
    """A user-facing failure: str(e) is the whole message, one line."""

    exit_code = 100  # apart from the hypervisor statuses 0-3 that `run` returns


class ConfigError(HvkitError):
    """configs/*.toml is invalid."""


class AbiError(HvkitError):
    """hv/abi.toml is invalid."""


class BuildError(HvkitError):
    """A compiler, assembler or linker failed."""


class ImageError(HvkitError):
    """A built or supplied ELF image breaks a layout rule."""


class MachineError(HvkitError):
    """Unknown machine profile, or one this host cannot run."""


class RunError(HvkitError):
    """The emulator could not be started or the run failed."""


class UsageError(HvkitError):
    """The command line is wrong (argparse's own errors end up here too)."""
