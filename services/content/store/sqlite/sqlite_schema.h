// The content database's schema migrations, applied in order by SqliteDb::Migrate.
#pragma once

#include <string>
#include <vector>

namespace bulletin::content {

const std::vector<std::string>& SchemaMigrations();

}  // namespace bulletin::content
