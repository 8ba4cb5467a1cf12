#include <gtest/gtest.h>

#include "pledged/http/page_template.hpp"

using pledged::fill_template;
using pledged::html_escape;

TEST(PageTemplate, FillsPlaceholdersWithEscapedValues) {
  EXPECT_EQ(fill_template("<h1>{{title}}</h1><main data-c=\"{{slug}}\">", {{"title", "Give & <help>"}, {"slug", "a\"b"}}),
            "<h1>Give &amp; &lt;help&gt;</h1><main data-c=\"a&quot;b\">");
}

TEST(PageTemplate, LeavesUnknownAndUnclosedPlaceholdersAlone) {
  EXPECT_EQ(fill_template("{{x}} {{y", {{"z", "1"}}), "{{x}} {{y");
  EXPECT_EQ(fill_template("no placeholders", {}), "no placeholders");
}

TEST(PageTemplate, EscapesEveryHtmlSpecialCharacter) {
  EXPECT_EQ(html_escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
}
