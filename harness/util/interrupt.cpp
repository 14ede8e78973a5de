// Interrupt: an async-signal-safe flag set by the SIGINT/SIGTERM handler.
#include "harness/util/interrupt.hpp"

#include <signal.h>

#include <csignal>

namespace repro {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void remember_signal(int signal) {
  // The first signal decides the exit code; a second Ctrl-C does not change it.
  if (g_signal == 0) {
    g_signal = signal;
  }
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = remember_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() {
  return g_signal != 0;
}

int interrupt_signal() {
  return static_cast<int>(g_signal);
}

int interrupted_exit_code() {
  return 128 + static_cast<int>(g_signal);
}

const char* interrupt_signal_name() {
  switch (g_signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "a signal";
  }
}

void reset_interrupt_for_testing() {
  g_signal = 0;
}

}  // namespace repro
