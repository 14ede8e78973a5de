# Finds valijson (Debian: libvalijson-dev), a header-only JSON Schema validator without a
# CMake config or pkg-config file. Defines Valijson_INCLUDE_DIR.
find_path(Valijson_INCLUDE_DIR NAMES valijson/validator.hpp valijson/adapters/nlohmann_json_adapter.hpp)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Valijson REQUIRED_VARS Valijson_INCLUDE_DIR)
mark_as_advanced(Valijson_INCLUDE_DIR)
