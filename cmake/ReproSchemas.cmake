# repro_embed_schemas(DIR): docs/schemas/*.schema.json compiled into the harness
# (harness/trace/contract_schemas.cpp includes DIR/harness/trace/contract_schema_texts.inc),
# so no build reads docs/ at run time; a changed or added schema re-runs the configure step.
# Used by the main build and by tests/fuzz.
function(repro_embed_schemas out_dir)
  get_filename_component(repo "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/.." ABSOLUTE)
  file(GLOB schema_files CONFIGURE_DEPENDS ${repo}/docs/schemas/*.schema.json)
  list(SORT schema_files)
  set(REPRO_SCHEMA_ENTRIES "")
  foreach(schema_path IN LISTS schema_files)
    get_filename_component(schema_name ${schema_path} NAME)
    file(READ ${schema_path} schema_text)
    string(APPEND REPRO_SCHEMA_ENTRIES
      "    {\"${schema_name}\", R\"repro_schema(${schema_text})repro_schema\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${schema_path})
  endforeach()
  configure_file(${repo}/harness/trace/contract_schema_texts.inc.in
    ${out_dir}/harness/trace/contract_schema_texts.inc @ONLY)
endfunction()
