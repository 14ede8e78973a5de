// Exit codes of repro-check (a contract: CI scripts and ctest rely on them).
#pragma once

namespace repro {

// Every cell as expected (identical where required, golden matches or is missing).
inline constexpr int k_exit_ok = 0;
// Determinism broken: the repeat differs, a golden mismatches, or an invariant axis broke.
inline constexpr int k_exit_determinism_broken = 1;
// Usage, configuration or input-file error (bad flag, bad suite, corrupt golden).
inline constexpr int k_exit_usage = 2;
// Infrastructure failure (a worker crashed, timed out or could not start) and no
// determinism verdict was possible.
inline constexpr int k_exit_infrastructure = 3;
// ctest's SKIP_RETURN_CODE: nothing in the suite could run on this machine.
inline constexpr int k_exit_nothing_ran = 77;

}  // namespace repro
