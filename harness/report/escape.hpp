// Escaping for the text formats the reporters write (XML/HTML, Markdown).
#pragma once

#include <string>
#include <string_view>

namespace repro {

// Text safe inside XML 1.0 / HTML element content and double- or single-quoted
// attributes: & < > " ' escaped, control characters XML forbids dropped (tab, LF
// and CR kept as character references in attributes), invalid UTF-8 bytes as '?'.
std::string xml_escape(std::string_view text);

// Text safe inside a GitHub-flavoured Markdown table cell or list item: Markdown
// punctuation backslash-escaped, '<' '>' '&' as entities, line breaks as spaces.
std::string markdown_escape(std::string_view text);

}  // namespace repro
