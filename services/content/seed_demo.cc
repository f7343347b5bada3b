#include "services/content/seed_demo.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace bulletin::content {
namespace {

constexpr char kTitleEn[] =
    "The Tripartite Meeting of the First Quarter in 2018 on UN Volunteer Service Cooperation "
    "Project Held";
constexpr char kTitleZh[] = "联合国志愿服务合作项目2018年第一季度三方会议召开";

constexpr char kSummaryEn[] =
    "The tripartite meeting of the first quarter in 2018 on International Volunteer Service "
    "Cooperation Project Training was held in Beijing Youth League on 1st February 2018.";
constexpr char kSummaryZh[] =
    "2018年2月1日，国际志愿服务合作培训项目2018年第一季度三方会议在共青团北京市委召开。";

// The legacy page's text as it was published (its spelling kept), one <p> per paragraph.
constexpr char kBodyEn[] =
    "<p>The tripartite meeting of the first quarter in 2018 on International Volunteer Service "
    "Cooperation Project Training was held in Beijing Youth League on 1st February 2018.</p>\n"
    "<p>Officials attending the meeting include Zheng Kun, Country Programme Assistant of UNV "
    "China; Li Jian, Deputy Secretary General of Beijing Youth League; Liu Jun, Chief of "
    "International Talents Exchange and Cooperation Division of CICETE; Li Huaying, Deputy Chief "
    "of International Talents Exchange and Cooperation Division of CICETE; Li Lei, Deputy "
    "Director of Beijing Volunteer Service Guidance Center, and the staffs of International "
    "Affairs Division of BVF.</p>\n"
    "<p>On the meeting, project managers from UNV, CICETE and BVF discussed on some concrete "
    "problems involved in the implementation of project.BVF firstly made a summary of the "
    "project progress in 2017, and introduced the annual work plan of the project in 2018. The "
    "three parties exchanged opinions and advice on the advancement of \u201cBelt and "
    "Road\u201d Volunteer Service Alliance, the deployment of UN Youth volunteers and how to "
    "integrate the project into national strategies. The meeting was a full success.</p>\n"
    "<p>BYL, BVF, UNDP, UNV and CICETE have jointly held 3 volunteer service programmes since "
    "2007. In 2007, the project of Promoting Development of China Volunteer Service through "
    "Beijing Olympic Games was initiated to summarize, transform and popularize the advanced "
    "experience and achievement of Beijing Olympic Games so as to make volunteer service more "
    "influential. In 2012, Strengthening Voluntary Service Development through Civic "
    "Participation and Regional and International Cooperation improved Beijing volunteer "
    "service resource platform, hoisted the ability of volunteer service organizations and made "
    "volunteer service more open to the world.</p>\n"
    "<p>On 14th September 2016, UNDP, UNV, CICETEA and BVF jointly launched the cooperation "
    "programme of Strengthening China's Involvement in the Development of International "
    "Volunteer Service though South-South Cooperation and The Belt and Road Initiative. As the "
    "third phase of cooperation with UN volunteer service organization, it would cover 3 years. "
    "The project focuses on integrating domestic and international resources, improving "
    "professional ability of volunteer organizations, establishing talents cultivation channel "
    "and expanding external influence. It is expected to improve the international level of "
    "Beijing and China\u2019s volunteer service.</p>";

constexpr char kBodyZh[] =
    "<p>2018年2月1日，国际志愿服务合作培训项目2018年第一季度三方会议在共青团北京市委召开。</p>\n"
    "<p>联合国志愿人员组织驻华代表处国别项目助理郑坤，共青团北京市委副秘书长李健，"
    "中国国际经济技术交流中心国际人才交流与合作处处长刘军、副处长李华英，"
    "北京市志愿服务指导中心副主任李磊，以及北京志愿者联合会国际事务部工作人员出席会议。</p>\n"
    "<p>会上，联合国志愿人员组织、中国国际经济技术交流中心和北京志愿者联合会的项目负责人"
    "就项目实施中涉及的若干具体问题进行了讨论。北京志愿者联合会首先总结了2017年的项目进展，"
    "并介绍了2018年项目年度工作计划。三方就推进“一带一路”志愿服务联盟建设、"
    "派遣联合国青年志愿者以及如何将项目融入国家战略等问题交流了意见和建议。"
    "会议取得圆满成功。</p>\n"
    "<p>自2007年以来，共青团北京市委、北京志愿者联合会、联合国开发计划署、"
    "联合国志愿人员组织和中国国际经济技术交流中心已共同实施了3期志愿服务合作项目。"
    "2007年启动的“借助北京奥运会推动中国志愿服务发展”项目，总结、转化和推广北京奥运会"
    "志愿服务的先进经验和成果，扩大了志愿服务的影响力。2012年实施的“通过公民参与及区域和"
    "国际合作加强志愿服务发展”项目，完善了北京志愿服务资源平台，提升了志愿服务组织的能力，"
    "推动志愿服务进一步走向世界。</p>\n"
    "<p>2016年9月14日，联合国开发计划署、联合国志愿人员组织、中国国际经济技术交流中心"
    "和北京志愿者联合会共同启动了“通过南南合作和‘一带一路’倡议加强中国参与国际志愿服务"
    "发展”合作项目。该项目是与联合国志愿服务机构开展的第三期合作，为期3年，"
    "重点在于整合国内外资源、提升志愿服务组织的专业能力、建立人才培养渠道和扩大对外影响力，"
    "预期将提升北京乃至中国志愿服务的国际化水平。</p>";

// Served by bulletin-web from services/content/demo/media (--media-dir).
constexpr char kCoverImage[] = "/media/2018/02/tripartite-meeting.svg";

Translation DemoTranslation(const char* title, const char* summary, const char* body,
                            const char* caption, const char* alt) {
  Translation t;
  t.title = title;
  t.summary = summary;
  t.body = body;
  t.cover_image_url = kCoverImage;
  t.cover_image_caption = caption;
  t.cover_image_alt = alt;
  return t;
}

// Finds the category with `slug`, or creates it.
absl::StatusOr<Category> EnsureCategory(ContentCore& core, ArticleStore& store, const Caller& admin,
                                        const std::string& slug, const std::string& parent_id,
                                        const std::string& en, const std::string& zh) {
  absl::StatusOr<Category> found = store.GetCategoryBySlug(slug);
  if (found.ok() || !absl::IsNotFound(found.status())) return found;
  Category c;
  c.slug = slug;
  c.parent_id = parent_id;
  c.default_locale = "en";
  c.translations["en"].name = en;
  c.translations["zh-CN"].name = zh;
  return core.CreateCategory(admin, c, absl::StrCat("seed-category-", slug));
}

}  // namespace

absl::StatusOr<Article> SeedDemo(ContentCore& core, ArticleStore& store) {
  const Caller admin = Principal{Role::kAdmin, ""};
  ASSIGN_OR_RETURN(const Category home,
                   EnsureCategory(core, store, admin, "home", "", "Home", "首页"));
  ASSIGN_OR_RETURN(const Category news,
                   EnsureCategory(core, store, admin, "news", home.id, "News", "新闻"));

  absl::StatusOr<Article> article = store.GetArticleBySlug(kDemoArticleSlug);
  if (absl::IsNotFound(article.status())) {
    Article a;
    a.slug = kDemoArticleSlug;
    a.category_id = news.id;
    a.tags = {"volunteer service", "unv", "belt and road"};
    a.default_locale = "en";
    a.translations["en"] = DemoTranslation(kTitleEn, kSummaryEn, kBodyEn, "The Tripartite Meeting",
                                           "The tripartite meeting");
    a.translations["zh-CN"] =
        DemoTranslation(kTitleZh, kSummaryZh, kBodyZh, "三方会议", "三方会议现场");
    article = core.CreateArticle(admin, a, "seed-article-000-419be77ec12ca5d4");
  }
  RETURN_IF_ERROR(article);
  if (article->state == ArticleState::kPublished) return article;
  PublishCommand publish;
  publish.id = article->id;
  publish.publish_time = absl::FromCivil(absl::CivilSecond(2018, 2, 5, 10, 0, 0),
                                         absl::FixedTimeZone(8 * 3600));  // Beijing
  return core.PublishArticle(admin, publish);
}

}  // namespace bulletin::content
