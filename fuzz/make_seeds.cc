// fuzz_make_seeds DIR: writes the seed corpora of the structured fuzz targets (requests
// framed as the targets read them: method and caller bytes, two-byte-length chunks) to
// DIR/<target>/<name>. The seeds are committed under fuzz/corpus/; run this again when a
// target's input format or a request message changes (scripts/fuzz never grows the
// committed corpus itself). Texts come from the demo article (content's seed_demo).
#include "fuzz/make_seeds.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "bulletin/analytics/v1/analytics.pb.h"
#include "bulletin/content/v1/content.pb.h"
#include "bulletin/notify/v1/notify.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/content/core/signed_token.h"
#include "services/content/grpc/content_convert.h"
#include "services/content/seed_demo.h"
#include "services/content/store/memory/memory_article_store.h"

namespace bulletin::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path out_dir;

}  // namespace

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(out_dir / target);
  std::ofstream(out_dir / target / name, std::ios::binary) << bytes;
}

std::string Encode(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

namespace {

content::Article DemoArticle() {
  content::MemoryArticleStore store;
  content::ContentOptions options;
  options.token_key = "seed";
  options.clock = [] { return absl::FromUnixSeconds(1709294400); };
  content::ContentCore core(store, options);
  content::Article demo = content::SeedDemo(core, store).value();
  demo.id = "01903a4b-0c5d-7e6f-8a9b-0c1d2e3f4a5b";  // fixed: the same seeds every run
  demo.category_id = "01903a4b-0000-7000-8000-000000000001";
  demo.etag.clear();
  return demo;
}

void TextSeeds(const content::Article& demo) {
  const std::string title = demo.translations.at("en").title;
  const std::pair<const char*, std::string> texts[] = {
      {"locale", "zh_cn"},
      {"locale-script", "zh-hans-cn"},
      {"slug", demo.slug},
      {"title", title},
      {"title-zh", demo.translations.at("zh-CN").title},
      {"uuid", demo.id},
      {"invalid-utf8", "\xC3\x28\xFF\xFE"},
      {"escape", "Title\x1b[31m"},
      {"blank", " \t "},
      {"c1", "a\xC2\x85z"}};
  uint8_t flags = 0;
  for (const auto& [name, text] : texts) {
    Write("text_rules", name, Seed().Byte(flags++).Byte(40).Raw(text).bytes());
  }
  std::ifstream example(std::string(BULLETIN_SOURCE_DIR) + "/deploy/tokens.example");
  const std::string file((std::istreambuf_iterator<char>(example)), {});
  Write("tokens_file", "example",
        Seed().Chunk("Bearer demo-editor-token-do-not-use").Raw(file).bytes());
  Write("tokens_file", "partner",
        Seed()
            .Chunk("bearer  demo-partner-token-do-not-use ")
            .Raw("# comment\n\npartner\tpartner-token-0123456789 acme\nadmin x\n")
            .bytes());
  Write("update_mask", "quoted", "translations.`zh-CN`.title");
  Write("update_mask", "plain", "translations.zh-CN.body");
  Write("update_mask", "star", "*");
  Write("update_mask", "dotted", "translations.`a.b`.summary");
}

void TokenSeeds(const content::Article& demo) {
  const content::TokenSigner signer("fuzz-key-0123456789abcdef");
  Write("content_tokens", "preview",
        Seed()
            .Chunk(signer.Sign("preview", {demo.id, "1709298000"}))
            .Byte(0)
            .Raw(demo.id + std::string(1, '\0') + "1709298000")
            .bytes());
  Write("content_tokens", "page",
        Seed()
            .Chunk(signer.Sign("page:articles", {"fp", "20"}))
            .Byte(1)
            .Raw(std::string("fp\0"
                             "20",
                             5))
            .bytes());
  Write("notify_tokens", "resume",
        Seed()
            .Byte(kPartner)
            .Byte(1)
            .Byte(3)
            .Byte(0)
            .Chunk("v1.1709294400000-0")
            .Chunk("s1")
            .Raw("s1.")
            .bytes());
  Write("notify_tokens", "admin",
        Seed()
            .Byte(kAdmin)
            .Byte(2)
            .Byte(9)
            .Byte(0)
            .Chunk("v1.18446744073709551615-7")
            .Chunk("1709294400000-0:01903a4b-0c5d-7e6f-8a9b-0c1d2e3f4a5b")
            .Raw("p1.AAAA.AAAAAAAAAAAAAAAAAAAAAA")
            .bytes());
}

void HtmlSeeds(const content::Article& demo) {
  Write("html_sanitizer", "demo-en", demo.translations.at("en").body);
  Write("html_sanitizer", "demo-zh", demo.translations.at("zh-CN").body);
  const std::pair<const char*, std::string> hostile[] = {
      {"script", "<p>a<script>alert(1)</script>b</p>"},
      {"onerror", "<img src=x onerror=alert(1) alt=\"a\">"},
      {"js-url", "<a href=\"java&#x09;script:alert(1)\" target=_blank>x</a>"},
      {"svg-style", "<svg><style><img src=x onerror=alert(1)></style></svg><math><mi>"},
      {"noscript", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>"},
      {"table", "<table><tr><td colspan=2>a<form><input></form></td></tr>text</table>"},
      {"nested", absl::StrCat(Repeat("<b><i><div>", 40), "<a href=/x>deep</a>")},
      {"deep-refused", absl::StrCat(Repeat("<b>", 300), "x")},
      {"deep-unwrapped", absl::StrCat(Repeat("<div><x-y>", 260), "x")},
      {"entities", "&lt;b&gt; &amp;&#0;&#x110000;&#xD800; <q cite='https://x.org/'>q</q>"}};
  for (const auto& [name, html] : hostile) Write("html_sanitizer", name, html);
  const std::string en = demo.translations.at("en").summary;
  const std::string zh = demo.translations.at("zh-CN").summary;
  Write("search_query", "en", Seed().Byte(60).Chunk("volunteer service").Raw(en).bytes());
  Write("search_query", "zh", Seed().Byte(30).Chunk("志愿服务 2018").Raw(zh).bytes());
  Write("search_query", "lone-cjk", Seed().Byte(5).Chunk("年").Raw(zh).bytes());
  Write("search_query", "mixed",
        Seed().Byte(80).Chunk("UN志愿 \"quotes\" C++").Raw(en + zh).bytes());
}

uint8_t DecodeIndex(const google::protobuf::Descriptor* type) {
  int index = 0;
  for (const google::protobuf::FileDescriptor* file :
       {content::v1::GetArticleRequest::descriptor()->file(),
        analytics::v1::GetStatsRequest::descriptor()->file(),
        notify::v1::GetSubscriptionRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m, ++index) {
        if (file->service(s)->method(m)->input_type() == type) return static_cast<uint8_t>(index);
      }
    }
  }
  return static_cast<uint8_t>(index);  // ArticleEvent
}

void DecodeSeeds(const content::Article& demo) {
  content::v1::CreateArticleRequest create;
  content::ToProto(demo, create.mutable_article());
  const uint8_t create_type = DecodeIndex(content::v1::CreateArticleRequest::descriptor());
  const std::string bytes = Encode(create);
  Write("decode", "create-article", Seed().Byte(create_type).Byte(0x1b).Raw(bytes).bytes());
  Write("decode", "truncated",
        Seed().Byte(create_type).Byte(0x06).Raw(bytes.substr(0, bytes.size() - 3)).bytes());
  create.mutable_article()->set_id("ABCD");
  std::string bad = Encode(create);
  bad.replace(bad.find("ABCD"), 4, "\xC3\x28\xFF\xFE");
  Write("decode", "invalid-utf8", Seed().Byte(create_type).Byte(0x39).Raw(bad).bytes());
  analytics::v1::RecordViewRequest view;
  view.set_article_id("a1");
  view.set_locale("zh-CN");
  view.mutable_view_time()->set_seconds(1709294400);
  Write("decode", "record-view-item",
        Seed()
            .Byte(DecodeIndex(analytics::v1::RecordViewRequest::descriptor()))
            .Byte(0x80)
            .Raw(Encode(view))
            .bytes());
  notify::v1::UpdateSubscriptionRequest update;
  update.mutable_subscription()->mutable_filter()->add_locales("zh-CN");
  update.mutable_update_mask()->add_paths("filter.locales");
  Write("decode", "update-subscription",
        Seed()
            .Byte(DecodeIndex(notify::v1::UpdateSubscriptionRequest::descriptor()))
            .Byte(0x24)
            .Raw(Encode(update))
            .bytes());
  Write("decode", "garbage",
        Seed()
            .Byte(1)
            .Byte(0xff)
            .Raw("\xff\xff\xff\xff\x0a\x05"
                 "ab")
            .bytes());
}

}  // namespace
}  // namespace bulletin::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds DIR\n";
    return 2;
  }
  bulletin::fuzz::out_dir = argv[1];
  const bulletin::content::Article demo = bulletin::fuzz::DemoArticle();
  bulletin::fuzz::TextSeeds(demo);
  bulletin::fuzz::TokenSeeds(demo);
  bulletin::fuzz::HtmlSeeds(demo);
  bulletin::fuzz::ServiceSeeds(demo);
  bulletin::fuzz::DecodeSeeds(demo);
  return 0;
}
