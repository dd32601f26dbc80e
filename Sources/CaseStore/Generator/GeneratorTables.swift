import Foundation

// The fixed vocabulary of the generated dataset: the handling units with their remits and the
// problems the notice (郑政文〔2020〕102号) reports, topics for titles, names, notes.

/// Problems the notice lists under 存在的问题, as they show in a unit's data.
struct UnitProblems: OptionSet, Sendable {
    let rawValue: UInt16
    /// 未落实代表委员接待日: reception_day_on empty (and so no photos).
    static let noReceptionDay = UnitProblems(rawValue: 1 << 0)
    /// Reception day held but 影像资料 not sent: media_submitted false.
    static let noMedia = UnitProblems(rawValue: 1 << 1)
    /// 推诿扯皮: asks to return cases within its own remit.
    static let shirksReturns = UnitProblems(rawValue: 1 << 2)
    /// 仍使用旧的征询意见表: form = old.
    static let oldForm = UnitProblems(rawValue: 1 << 3)
    /// 解决程度与实际情况不符: a resolution class on a case that is not closed.
    static let badResolution = UnitProblems(rawValue: 1 << 4)
    /// 会办单位 opinion sent more than a month after assignment.
    static let lateCoOpinion = UnitProblems(rawValue: 1 << 5)
    /// 未及时签收: cases still unsigned long after assignment.
    static let unsigned = UnitProblems(rawValue: 1 << 6)
    /// 未及时上传办理结果: replies after the deadline.
    static let lateReply = UnitProblems(rawValue: 1 << 7)
    /// 没有完成办理任务: open cases past their deadline as of the notice's date.
    static let slow = UnitProblems(rawValue: 1 << 8)
}

struct UnitDef {
    let name: String
    let type: UnitType
    let remit: [Category]
    /// Relative share of the cases of each category in its remit.
    let weight: Int
    /// Named as good (好的单位) by the notice.
    let good: Bool
    let problems: UnitProblems
    /// Reception day (接待日), or nil.
    let receptionDay: Day?
    var mediaSubmitted: Bool { receptionDay != nil && !problems.contains(.noMedia) }
}

enum GeneratorTables {
    static func day(_ m: Int, _ d: Int) -> Day { Day(year: 2020, month: m, day: d)! }

    private static let cityWide: [Category] = [.urban, .ecology, .general]
    private static let county: [Category] = [.urban, .agriculture, .ecology, .general]
    private static let zone: [Category] = [.urban, .industry, .general]

    /// The 30 good units in the notice's order and spelling (the notice's leading 市 of 市民政局
    /// qualifies the whole list, so every city department is written without it: 民政局, 教育局),
    /// then the other units. Weights are doubled shares.
    static let units: [UnitDef] = [
        UnitDef(name: "民政局", type: .department, remit: [.general, .law], weight: 6, good: true, problems: [], receptionDay: day(6, 12)),
        UnitDef(name: "教育局", type: .department, remit: [.education], weight: 20, good: true, problems: [], receptionDay: day(6, 18)),
        UnitDef(name: "市场发展中心", type: .department, remit: [.finance], weight: 4, good: true, problems: [], receptionDay: day(7, 9)),
        UnitDef(name: "财政局", type: .department, remit: [.finance], weight: 8, good: true, problems: [], receptionDay: day(6, 24)),
        UnitDef(name: "水利局", type: .department, remit: [.agriculture, .ecology], weight: 6, good: true, problems: [], receptionDay: day(7, 2)),
        UnitDef(name: "商务局", type: .department, remit: [.finance], weight: 6, good: true, problems: [], receptionDay: day(7, 16)),
        UnitDef(name: "民族宗教局", type: .department, remit: [.general], weight: 4, good: true, problems: [], receptionDay: day(6, 30)),
        UnitDef(name: "应急局", type: .department, remit: [.law, .industry], weight: 4, good: true, problems: [], receptionDay: day(7, 21)),
        UnitDef(name: "金融局", type: .department, remit: [.finance], weight: 4, good: true, problems: [], receptionDay: day(8, 6)),
        UnitDef(name: "卫健委", type: .department, remit: [.education], weight: 10, good: true, problems: [], receptionDay: day(6, 10)),
        UnitDef(name: "发展改革委", type: .department, remit: [.general, .industry, .finance], weight: 7, good: true, problems: [], receptionDay: day(7, 28)),
        UnitDef(name: "文物局", type: .department, remit: [.education], weight: 3, good: true, problems: [], receptionDay: day(8, 13)),
        UnitDef(name: "文化广电旅游局", type: .department, remit: [.education], weight: 6, good: true, problems: [], receptionDay: day(7, 24)),
        UnitDef(name: "交通局", type: .department, remit: [.industry], weight: 9, good: true, problems: [], receptionDay: day(6, 29)),
        UnitDef(name: "司法局", type: .department, remit: [.law], weight: 5, good: true, problems: [], receptionDay: day(8, 20)),
        UnitDef(name: "医保局", type: .department, remit: [.law, .education], weight: 4, good: true, problems: [], receptionDay: day(7, 30)),
        UnitDef(name: "市场监管局", type: .department, remit: [.finance, .industry], weight: 6, good: true, problems: [], receptionDay: day(8, 4)),
        UnitDef(name: "审计局", type: .department, remit: [.finance], weight: 3, good: true, problems: [], receptionDay: day(8, 27)),
        UnitDef(name: "城建局", type: .department, remit: [.urban], weight: 10, good: true, problems: [], receptionDay: day(6, 16)),
        UnitDef(name: "城管局", type: .department, remit: [.urban, .ecology], weight: 8, good: true, problems: [], receptionDay: day(7, 7)),
        UnitDef(name: "公安局", type: .department, remit: [.law, .industry], weight: 9, good: true, problems: [], receptionDay: day(9, 2)),
        UnitDef(name: "郑州地铁集团", type: .company, remit: [.industry, .urban], weight: 4, good: true, problems: [], receptionDay: day(8, 11)),
        UnitDef(name: "郑州航空港区管委会", type: .zone, remit: zone, weight: 4, good: true, problems: [], receptionDay: day(8, 18)),
        UnitDef(name: "郑东新区管委会", type: .zone, remit: [.urban, .general], weight: 4, good: true, problems: [], receptionDay: day(7, 14)),
        UnitDef(name: "中原区政府", type: .district, remit: cityWide, weight: 4, good: true, problems: [], receptionDay: day(6, 23)),
        UnitDef(name: "金水区政府", type: .district, remit: cityWide, weight: 5, good: true, problems: [], receptionDay: day(7, 1)),
        UnitDef(name: "中牟县政府", type: .district, remit: county, weight: 3, good: true, problems: [], receptionDay: day(8, 25)),
        UnitDef(name: "二七区政府", type: .district, remit: cityWide, weight: 4, good: true, problems: [], receptionDay: day(7, 22)),
        UnitDef(name: "新郑市政府", type: .district, remit: county, weight: 3, good: true, problems: [], receptionDay: day(8, 19)),
        UnitDef(name: "登封市政府", type: .district, remit: county, weight: 3, good: true, problems: [], receptionDay: day(8, 28)),
        // Not named as good; each shows one or more of the problems the notice lists.
        UnitDef(name: "自然资源和规划局", type: .department, remit: [.urban, .ecology], weight: 7, good: false, problems: [.shirksReturns, .slow], receptionDay: day(8, 21)),
        UnitDef(name: "生态环境局", type: .department, remit: [.ecology], weight: 8, good: false, problems: [.lateCoOpinion, .oldForm], receptionDay: day(7, 17)),
        UnitDef(name: "住房保障局", type: .department, remit: [.urban], weight: 6, good: false, problems: [.shirksReturns, .lateReply, .slow], receptionDay: day(9, 8)),
        UnitDef(name: "人社局", type: .department, remit: [.law], weight: 8, good: false, problems: [.noMedia, .badResolution], receptionDay: day(8, 7)),
        UnitDef(name: "农业农村局", type: .department, remit: [.agriculture], weight: 8, good: false, problems: [.lateReply, .badResolution], receptionDay: day(7, 31)),
        UnitDef(name: "科技局", type: .department, remit: [.education, .industry], weight: 4, good: false, problems: [.oldForm], receptionDay: day(8, 14)),
        UnitDef(name: "工信局", type: .department, remit: [.industry], weight: 6, good: false, problems: [.badResolution, .slow], receptionDay: day(9, 4)),
        UnitDef(name: "体育局", type: .department, remit: [.education], weight: 3, good: false, problems: [.oldForm, .noMedia], receptionDay: day(8, 26)),
        UnitDef(name: "园林局", type: .department, remit: [.urban, .ecology], weight: 4, good: false, problems: [.shirksReturns, .unsigned], receptionDay: day(9, 10)),
        UnitDef(name: "林业局", type: .department, remit: [.agriculture, .ecology], weight: 4, good: false, problems: [.noMedia, .lateCoOpinion], receptionDay: day(8, 12)),
        UnitDef(name: "统计局", type: .department, remit: [.general], weight: 3, good: false, problems: [.noReceptionDay, .unsigned], receptionDay: nil),
        UnitDef(name: "大数据局", type: .department, remit: [.industry, .general], weight: 3, good: false, problems: [.lateCoOpinion, .lateReply], receptionDay: day(9, 9)),
        UnitDef(name: "退役军人事务局", type: .department, remit: [.law], weight: 3, good: false, problems: [.noReceptionDay, .slow], receptionDay: nil),
        UnitDef(name: "管城回族区政府", type: .district, remit: cityWide, weight: 4, good: false, problems: [.shirksReturns, .slow], receptionDay: day(8, 31)),
        UnitDef(name: "惠济区政府", type: .district, remit: cityWide, weight: 3, good: false, problems: [.noMedia, .lateReply], receptionDay: day(9, 1)),
        UnitDef(name: "上街区政府", type: .district, remit: cityWide, weight: 3, good: false, problems: [.noReceptionDay, .unsigned], receptionDay: nil),
        UnitDef(name: "荥阳市政府", type: .district, remit: county, weight: 3, good: false, problems: [.oldForm, .slow], receptionDay: day(9, 3)),
        UnitDef(name: "新密市政府", type: .district, remit: county, weight: 3, good: false, problems: [.noMedia, .badResolution], receptionDay: day(8, 24)),
        UnitDef(name: "巩义市政府", type: .district, remit: county, weight: 3, good: false, problems: [.noReceptionDay, .lateReply, .unsigned], receptionDay: nil),
        UnitDef(name: "经开区管委会", type: .zone, remit: zone, weight: 3, good: false, problems: [.badResolution, .slow], receptionDay: day(9, 7)),
        UnitDef(name: "高新区管委会", type: .zone, remit: zone, weight: 3, good: false, problems: [.oldForm, .lateReply], receptionDay: day(8, 17)),
        UnitDef(name: "郑州公交集团", type: .company, remit: [.industry, .urban], weight: 4, good: false, problems: [.noReceptionDay], receptionDay: nil),
        UnitDef(name: "郑州水务集团", type: .company, remit: [.urban, .ecology], weight: 4, good: false, problems: [.lateCoOpinion, .slow], receptionDay: day(8, 28)),
        UnitDef(name: "郑州热力集团", type: .company, remit: [.urban], weight: 3, good: false, problems: [.noReceptionDay, .unsigned], receptionDay: nil),
    ]

    /// The realistic profile's caseload per unit: Zipf's law with exponent 1 over the units ranked
    /// by `weight` (ties in list order), the unit of rank r weighing 1/r. Within a category the
    /// generator picks among the units whose remit holds it by these weights.
    static let zipfExponent = 1.0
    static let zipfWeights: [Int] = {
        let rank = units.indices.sorted { units[$0].weight != units[$1].weight ? units[$0].weight > units[$1].weight : $0 < $1 }
        var w = Array(repeating: 0, count: units.count)
        for (r, u) in rank.enumerated() { w[u] = Int((1_000_000 / pow(Double(r + 1), zipfExponent)).rounded()) }
        return w
    }()

    /// Share of each category (per mille), in Category order:
    /// urban, finance, industry, agriculture, education, law, ecology, general.
    static let categoryShare: [Int] = [210, 100, 130, 80, 200, 110, 100, 70]

    /// The office that assigns cases; named in the assign event's note.
    static let office = "市政府办公厅建议提案处"

    // MARK: titles

    static let verbs = ["加强", "进一步加强", "加快推进", "推进", "完善", "优化", "规范", "做好", "深化", "统筹推进"]

    /// Objects of titles per category (Category order). None contains 午餐 or 课后.
    static let topics: [[String]] = [
        ["老旧小区改造", "背街小巷整治提升", "城市停车设施建设", "城市道路积水治理", "公共厕所建设管理",
         "既有住宅加装电梯", "物业服务管理", "城中村改造安置房建设", "城市慢行系统建设", "口袋公园建设",
         "农贸市场升级改造", "城市照明设施维护", "燃气管网改造", "智慧社区建设"],
        ["中小微企业融资服务", "夜间经济发展", "消费市场提振", "跨境电商发展", "地方金融风险防范",
         "政府采购资金支付", "老字号品牌保护", "营商环境优化", "会展经济发展", "普惠金融服务",
         "社区商业网点布局", "农村金融服务"],
        ["公交线网优化", "地铁与公交接驳", "非机动车道建设", "制造业高质量发展", "5G基站建设",
         "新能源汽车充电设施建设", "货车通行管理", "航空港物流发展", "工业企业技术改造", "出租汽车行业管理",
         "共享单车规范管理", "智能网联汽车产业培育"],
        ["高标准农田建设", "农村人居环境整治", "农村饮水安全", "乡村振兴人才培养", "农产品品牌建设",
         "南水北调水源保护", "农村生活污水治理", "林果产业发展", "防汛抗旱能力建设", "农村集体经济发展"],
        ["义务教育学位供给", "学前教育普惠发展", "中小学校园安全管理", "职业教育产教融合", "青少年近视防控",
         "基层医疗卫生服务能力建设", "中医药传承创新", "公共文化服务体系建设", "全民健身设施建设", "文物保护利用",
         "科技成果转化", "中小学心理健康教育", "家庭医生签约服务", "疫情防控常态化机制"],
        ["社区矫正工作", "养老服务体系建设", "农民工工资支付保障", "高校毕业生就业", "社会救助精准化",
         "电信网络诈骗防范", "校园周边交通秩序整治", "退役军人就业安置", "残疾人就业帮扶", "法律援助服务",
         "基层社会治理", "城乡居民医保待遇保障"],
        ["大气污染防治", "黄河湿地保护", "城市河道水系治理", "建筑工地扬尘治理", "生活垃圾分类",
         "餐饮油烟治理", "城市绿化提升", "森林郑州建设", "秸秆综合利用", "噪声污染治理", "水源地保护",
         "生态廊道建设"],
        ["政务服务一网通办", "民族团结进步创建", "统计数据质量提升", "应急管理体系建设", "国家中心城市建设",
         "郑州都市圈一体化发展", "社区志愿服务", "档案信息化建设", "城市精细化管理", "数字政府建设"],
    ]

    /// The 14 topics on school lunches and after-school services (中小学午餐供餐和课后延时服务).
    static let lunchTopics = [
        "加强中小学午餐供餐管理", "推进中小学课后延时服务", "规范中小学生午餐配送", "完善课后服务经费保障机制",
        "扩大中小学午餐供餐覆盖面", "提升课后延时服务质量", "建立中小学午餐营养标准", "引入社会力量参与课后服务",
        "加强学校午餐配送餐单位监管", "推行课后延时服务 解决家长接送难题", "保障中小学生午餐食品安全",
        "丰富课后服务内容", "推进午餐供餐和课后延时服务全覆盖", "减轻课后服务教师负担",
    ]

    /// Parts of the realistic profile's own titles: a place (a district or county, alone or with a
    /// road and where along it), then a verb, a topic and an aspect, or a problem to solve. None
    /// contains 午餐 or 课后.
    static let titleDistricts = ["中原区", "二七区", "管城回族区", "金水区", "上街区", "惠济区", "郑东新区", "高新区",
                                 "经开区", "航空港区", "中牟县", "巩义市", "荥阳市", "新密市", "新郑市", "登封市"]
    static let titleRoads = ["花园路", "农业路", "金水路", "中州大道", "建设路", "嵩山路", "大学路", "紫荆山路", "经三路",
                             "文化路", "丰产路", "东风路", "北三环", "南三环", "西三环", "东三环", "商都路", "航海路",
                             "陇海路", "郑汴路", "长江路", "淮河路", "伊河路", "桐柏路", "秦岭路", "工人路", "京广路",
                             "城东路", "未来路", "众意路", "商鼎路", "龙湖外环路", "科学大道", "须水路", "江山路",
                             "开元路", "天河路", "榆林路", "绿博大道", "人民路"]
    static let titlePlaceSuffixes = ["沿线", "片区", "周边", "一带"]
    static let titleAspects = ["工作", "长效管理", "资金保障", "监督管理", "配套建设", "规划布局", "服务保障",
                               "统筹协调", "宣传引导", "考核评价", "信息化建设", "标准化建设"]
    static let titleProblems = ["资金缺口", "管理缺位", "标准不一", "推进缓慢", "多头管理", "后期维护不足",
                                "审批时间长", "覆盖面不足", "监管不到位", "配套滞后", "群众反映强烈", "信息不对称"]

    /// For titles that exercise CSV quoting and brackets.
    static let brands = ["郑州老字号", "黄河文化", "商都文化", "智慧城市", "无废城市", "口袋公园", "中原文化"]
    static let laws = ["优化营商环境条例", "郑州市城市市容和环境卫生管理条例", "郑州市物业管理条例",
                       "河南省全民健身条例", "郑州市文明行为促进条例", "中华人民共和国民法典"]

    /// The two key proposals the notice names (titles written without the notice's 《》).
    static let greenTitle = "进一步牢固树立绿色理念 加强郑州市黄河流域生态保护"
    static let greenProposer = "市政协民进委"
    static let digitalTitle = "关于抓牢数字经济发展机遇 实现郑州超越式发展"
    static let digitalProposer = "市政协科技界"

    // MARK: leaders (roles, never names)

    /// The vice-mayor role leading (领办) a key case, per category.
    static let leaders = ["副市长（分管城建）", "副市长（分管财贸金融）", "副市长（分管工业和交通）",
                          "副市长（分管农业农村和水利）", "副市长（分管教育）", "副市长（分管公安）",
                          "副市长（分管生态环境）", "常务副市长"]
    static let genericLeader = "分管副市长"

    // MARK: proposers

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
    static let givenChars = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红丹玲飞鹏辉建国海燕志宏新春亮斌波宁晨东雪琳晓梅俊峰旭冬振昊宇浩凯鑫博思佳雨欣悦婷颖倩蕾晶瑶璐薇琪帆航睿哲彬毅荣庆安立永德胜利成光兴")

    static let parties = ["民革市委", "民盟市委", "民建市委", "农工党市委", "致公党市委", "九三学社市委", "市政协民进委"]
    static let sectors = ["市政协科技界", "市政协教育界", "市政协经济界", "市政协医药卫生界", "市政协农业界", "市政协文化艺术界"]
    static let proposalGroups = ["市工商联", "市妇联", "共青团郑州市委", "市总工会", "市科协"]
    static let delegations = ["金水区代表团", "中原区代表团", "二七区代表团", "新郑市代表团", "巩义市代表团"]

    // MARK: notes

    static let shirkReasons = ["涉及资金较多，建议由其他单位主办", "该事项需多部门协调，不宜由本单位主办",
                               "本单位人手不足，申请退办", "非本单位主要职责，申请退办"]
    static let rightfulReturn = "不属于本单位职责范围，申请退办"
    static let returnNote = "建议提案处同意退办"
    static let openNotes = ["涉及多部门职责，正在协调办理", "已列入年度计划，正在推进", "正在征求代表委员意见"]
}
