#pragma once
// A donor's year-end statement as a PDF (libharu, which stays inside this layer):
// the organisation and its tax id, the donor, every movement of the year, the net
// total per currency and the no-goods-or-services sentence.
#include <string>

#include "pledged/core/result.hpp"
#include "pledged/domain/organisation.hpp"
#include "pledged/domain/statement.hpp"

namespace pledged {

// The PDF's bytes; internal when libharu fails (no donor detail in the message).
Result<std::string> render_statement_pdf(const DonorStatement& statement, const Organisation& organisation);

}  // namespace pledged
