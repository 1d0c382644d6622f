"""Driving the kit's Linux guests' shells (configs/linux.toml and the like)."""

SWITCH = "\x01\x01\x01"   # Ctrl-A three times: the console's input to the next VM


def shell_ready(vm, boots: int = 1, prompt: bool = True) -> None:
    """Waits for the boots-th boot's shell of vm, after its last boot
    message (the switch to the TSC clocksource, before or after init as
    the emulator's pace has it); with prompt (vm has the console's input),
    for a fresh prompt too."""
    while vm.text.count("hvkit-linux: init reached: ") < boots:
        vm.expect(r"hvkit-linux: init reached: ")
    while vm.text.count("clocksource: Switched to clocksource tsc\n") < boots:
        vm.expect(r"clocksource: Switched to clocksource tsc\n")
    if not prompt:
        return
    vm.send("\n")
    vm.expect(r"^linux# ")


def switch_to(con, vm) -> None:
    """Moves the console's input to vm and waits for its prompt."""
    con.send(SWITCH)
    con.expect(rf"^hv: console input now goes to vm {vm.name} \(Ctrl-A three times switches\)$")
    vm.send("\n")
    vm.expect(r"^linux# ")
