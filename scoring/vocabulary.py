"""Word lists the scorer reads: stop words, action verbs, concrete things, numbers, related terms.

Every list is small, hand-written and open to review; the scorer explains each use of them.
English entries are compared by `scoring.text.stem`, Chinese entries as substrings.
"""

from __future__ import annotations

from .text import stem

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
let me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these they
this those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves us really thing things something get got lot
kind sort well even still ever much many may might must shall one
""".split())

# Words that frame a question rather than say what it is about.
QUESTION_FRAME = frozenset("""
tell describe explain give example time times walk share talk think please situation experience
recall name whom question answer like
""".split())

_ACTION_VERBS = """
add agree analyse apply arrange ask assign automate benchmark book break build call change check
clarify coach collect combine communicate compare contact coordinate create cut debug decide define
delegate deliver deploy design discuss document draft drive email escalate estimate evaluate explain
find fix gather hire hold identify implement improve interview introduce investigate launch lead
list listen look map measure meet mentor merge migrate model monitor move negotiate open organise
outline pair plan prepare present prioritise propose prototype publish read rebuild recruit reduce
refactor remove reorganise replace report research restart restructure review rewrite roll run
schedule set ship simplify split start suggest survey talk teach tell test track train use verify
visit write
"""
ACTION_STEMS = frozenset(stem(word) for word in _ACTION_VERBS.split())

# Words between a first-person subject and its verb: "I would first check", "we then ran".
SUBJECT_GAP = frozenset("""
would will could should can did do had have has been was were first then also just quickly
immediately finally personally usually actually always often still really carefully together both
all later next soon initially eventually again directly
""".split())

_CONCRETE_THINGS = """
dashboard board benchmark database service platform blog log metric alert test pipeline deployment
release report roadmap backlog ticket sprint standup milestone spreadsheet survey prototype demo api
architecture migration feature bug budget contract document checklist channel script query latency
schema server cluster dataset design code review mortem incident monitoring configuration customer
client stakeholder user engineer criteria invoice payment billing routing ci cd repository branch
wiki slide presentation workshop interview prototype experiment
"""
CONCRETE_WORDS = frozenset(_CONCRETE_THINGS.split())

NUMBER_WORDS = frozenset("""
zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand
million billion dozen half twice double triple percent
""".split())

# Related terms: an answer can address "outage" by talking about the incident and the logs.
RELATED_EN: dict[str, tuple[str, ...]] = {
    "deadline": ("schedule", "timeline", "late", "behind", "ship", "deliver", "launch", "due", "milestone",
                 "on time"),
    "team": ("engineer", "colleague", "member", "people", "staff", "group", "junior", "senior", "teammate"),
    "lead": ("manage", "guide", "coordinate", "delegate", "organise", "mentor", "responsible", "charge"),
    "difficult": ("hard", "tough", "challenge", "pressure", "stress", "problem", "tight", "behind", "risk"),
    "disagreement": ("conflict", "argue", "argument", "debate", "opinion", "view", "disagree", "differ"),
    "conflict": ("disagree", "argue", "argument", "tension", "dispute", "debate"),
    "colleague": ("coworker", "teammate", "peer", "team", "partner"),
    "handle": ("resolve", "deal", "approach", "address", "discuss", "solve"),
    "outage": ("incident", "down", "downtime", "failure", "fail", "alert", "error", "crash", "unavailable"),
    "production": ("prod", "live", "service", "deploy", "deployment", "customer", "server", "system"),
    "investigate": ("check", "log", "diagnose", "debug", "find", "root", "analyse", "trace", "monitor",
                    "metric", "examine", "cause"),
    "sudden": ("unexpected", "alert", "start", "spike"),
    "company": ("your", "business", "firm", "mission", "culture", "product", "platform"),
    "join": ("role", "position", "job", "work", "opportunity", "career", "grow"),
    "want": ("interest", "excite", "motivate", "passion", "admire", "grow", "value", "attract"),
    "mistake": ("error", "wrong", "fail", "failure", "learn", "lesson"),
    "failure": ("mistake", "wrong", "fail", "learn", "lesson", "setback"),
    "customer": ("client", "user", "complaint", "feedback"),
    "project": ("initiative", "product", "feature", "launch", "delivery"),
    "priority": ("urgent", "important", "order", "cut", "scope", "tradeoff"),
    "feedback": ("review", "critique", "comment", "criticism", "suggestion"),
    "pressure": ("stress", "deadline", "tight", "calm"),
    "learn": ("study", "course", "practice", "read", "teach", "train", "lesson"),
    "goal": ("target", "objective", "aim", "plan"),
    "improve": ("better", "increase", "reduce", "faster", "optimise"),
    "decision": ("decide", "choose", "option", "tradeoff"),
    "risk": ("issue", "problem", "blocker", "mitigate"),
    "change": ("adapt", "new", "shift", "transition"),
}

ZH_STOP_CHARS = frozenset(
    "的了是在和与及或你我他她它们这那个一次请讲说谈描述介绍下吗呢吧啊么什怎样如何为会要能可以把被让给对之间些有过中"
)
ZH_QUESTION_FRAME = frozenset({"经历", "例子", "情况", "时候", "一下", "分享", "举例"})

RELATED_ZH: dict[str, tuple[str, ...]] = {
    "团队": ("同事", "成员", "大家", "工程师", "组员"),
    "带领": ("负责", "领导", "组织", "安排", "管理"),
    "截止": ("期限", "按时", "延期", "进度", "上线", "交付"),
    "日期": ("按时", "期限", "延期"),
    "紧急": ("赶", "来不及", "压力", "时间紧"),
    "分歧": ("不同意", "争论", "意见", "冲突", "不一致"),
    "同事": ("团队", "组员", "搭档"),
    "处理": ("解决", "沟通", "协商", "讨论"),
    "故障": ("事故", "宕机", "报警", "告警", "监控", "出问题"),
    "排查": ("检查", "日志", "监控", "原因", "定位"),
    "公司": ("你们", "贵公司", "产品", "平台", "使命", "文化"),
    "加入": ("岗位", "职位", "工作", "机会", "发展"),
    "客户": ("用户", "投诉", "反馈"),
    "项目": ("产品", "功能", "上线"),
    "压力": ("紧张", "截止", "忙"),
    "失败": ("错误", "教训", "反思"),
    "困难": ("挑战", "问题", "压力"),
}

ZH_ACTION_VERBS = (
    "拆分", "分解", "安排", "分配", "组织", "制定", "协调", "沟通", "召开", "跟踪", "推动", "检查", "查看",
    "排查", "优化", "修复", "设计", "编写", "带领", "决定", "提出", "建议", "调整", "砍掉", "删减", "确认",
    "测试", "复盘", "监控", "回滚", "结对", "讨论", "分析", "听完", "倾听", "写下", "对比", "比较", "实现",
    "开发", "部署", "重启", "联系", "汇报", "培训", "指导", "说服", "约定", "整理", "收集", "记录", "评估",
    "请他", "请她", "问他", "问她", "告诉",
)

ZH_CONCRETE_THINGS = (
    "数据库", "看板", "报表", "日志", "监控", "客户", "系统", "会议", "站会", "版本", "代码", "接口", "需求",
    "里程碑", "工程师", "文档", "方案", "服务", "平台", "测试", "基准", "指标", "预算", "功能",
    "缺陷", "迁移", "支付", "告警", "表格",
)
