// Interrupt: SIGINT and SIGTERM become a flag that long waits poll, so a run can stop its
// children and still report what finished.
#pragma once

namespace repro {

// Makes SIGINT and SIGTERM set a flag instead of ending the process. Idempotent; call it
// before starting any child process (the worker probe included), so that no signal can
// end the checker while a child it started is left running.
void install_interrupt_handler();

// True once SIGINT or SIGTERM arrived after install_interrupt_handler().
bool interrupted();

// The signal that interrupted the run (SIGINT, SIGTERM), 0 when none did.
int interrupt_signal();

// The exit code after an interruption: 128 + the signal (130 for Ctrl-C, 143 for SIGTERM).
int interrupted_exit_code();

// "SIGINT", "SIGTERM", or "signal N".
const char* interrupt_signal_name();

// Tests only: forget an interruption (the flag is process-wide).
void reset_interrupt_for_testing();

}  // namespace repro
