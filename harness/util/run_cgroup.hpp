// Run cgroup: a cgroup v2 group holding a run's processes, where this process may create one
// (root, or a delegated subtree), so that cgroup.kill ends them all, whatever their
// environment.
#pragma once

#include <filesystem>
#include <string>

namespace repro {

// The cgroup v2 folder this process belongs to (e.g. /sys/fs/cgroup/user.slice/...), or ""
// when no cgroup2 hierarchy is mounted here or this process's group lies outside the mount.
std::filesystem::path own_cgroup2_directory();

// Creates group `name` below this process's own group; "" when that is not possible here
// (no cgroup2 mount, no permission, a kernel without cgroup.kill). The caller moves its
// children in by writing "0" to GROUP/cgroup.procs in each child.
std::filesystem::path create_run_cgroup(const std::string& name);

// Kills every process in `group` (cgroup.kill), waits up to 10 s for it to empty and removes
// it. True when the group is gone.
bool kill_and_remove_cgroup(const std::filesystem::path& group);

}  // namespace repro
