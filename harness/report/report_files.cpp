// write_report_files: every requested format, atomically; the step summary appended.
#include "harness/report/report_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "harness/report/html_report.hpp"
#include "harness/report/json_report.hpp"
#include "harness/report/junit_report.hpp"
#include "harness/report/markdown_report.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/output_target.hpp"
#include "harness/util/str_cat.hpp"
#include "harness/util/utc_time.hpp"
#include "harness/util/write_all.hpp"

namespace repro {

bool is_github_step_summary(const std::filesystem::path& path) {
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (summary == nullptr || *summary == '\0') {
    return false;
  }
  std::error_code ec;
  if (std::filesystem::equivalent(path, summary, ec)) {
    return true;
  }
  return std::filesystem::absolute(path, ec).lexically_normal() ==
         std::filesystem::absolute(summary, ec).lexically_normal();
}

std::string report_time() {
  const char* now = std::getenv("REPRO_NOW");
  if (now == nullptr || *now == '\0') {
    return utc_now_iso8601();
  }
  if (!is_utc_iso8601(now)) {
    throw Error("REPRO_NOW", "",
                std::string("'") + now + "' is not a UTC time like 2026-01-02T03:04:05Z");
  }
  return now;
}

void append_to_file(const std::filesystem::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error(path.string(), "",
                std::string("cannot open for appending: ") + std::strerror(errno));
  }
  if (!write_all(fd, text)) {
    const int saved = errno;
    ::close(fd);
    throw Error(path.string(), "", std::string("cannot append: ") + std::strerror(saved));
  }
  if (::close(fd) != 0) {
    throw Error(path.string(), "", std::string("cannot append: ") + std::strerror(errno));
  }
}

void write_report_files(const RunReport& report, const ReportFiles& files,
                        const std::vector<HistoryRow>& recent) {
  if (!files.json.empty()) {
    std::ostringstream json;
    write_json_report(json, report);
    write_output_file(files.json, json.str());
  }
  if (!files.junit.empty()) {
    std::ostringstream junit;
    write_junit_report(junit, report);
    write_output_file(files.junit, junit.str());
  }
  if (!files.markdown.empty()) {
    std::ostringstream markdown;
    write_markdown_report(markdown, report);
    if (files.markdown_append || is_github_step_summary(files.markdown)) {
      // A blank line first, so this summary never runs into the previous step's.
      std::error_code ec;
      bool has_content = std::filesystem::file_size(files.markdown, ec) > 0 && !ec;
      append_to_file(files.markdown, str_cat(has_content ? "\n" : "", markdown.str()));
    } else {
      write_output_file(files.markdown, markdown.str());
    }
  }
  if (!files.html.empty()) {
    std::ostringstream html;
    write_html_report(html, &report, recent);
    write_output_file(files.html, html.str());
  }
}

}  // namespace repro
