<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdminWindow</name>
    <message>
        <source>HallDesk - Devices</source>
        <translation>HallDesk - 设备管理</translation>
    </message>
    <message>
        <source>Job number</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Serial ports on this PC</source>
        <translation>本机串口</translation>
    </message>
    <message>
        <source>Device status</source>
        <translation>设备状态</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Bus</source>
        <translation>总线</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Last event</source>
        <translation>最近事件</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Beep keypad</source>
        <translation>叫号器鸣响</translation>
    </message>
    <message>
        <source>Show 888</source>
        <translation>显示 888</translation>
    </message>
    <message>
        <source>Start a rating</source>
        <translation>启动评价</translation>
    </message>
    <message>
        <source>LED 888</source>
        <translation>LED 显示 888</translation>
    </message>
    <message>
        <source>Print a test ticket</source>
        <translation>打印测试号票</translation>
    </message>
    <message>
        <source>Buses (serial ports)</source>
        <translation>总线（串口）</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Add bus</source>
        <translation>添加总线</translation>
    </message>
    <message>
        <source>Add device</source>
        <translation>添加设备</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>删除所选</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>保存设置</translation>
    </message>
    <message>
        <source>Not a field of this kind of device</source>
        <translation>此类设备没有该项</translation>
    </message>
    <message>
        <source>open</source>
        <translation>已打开</translation>
    </message>
    <message>
        <source>opening</source>
        <translation>正在打开</translation>
    </message>
    <message>
        <source>not available</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>{state}: {reason}</source>
        <translation>{state}：{reason}</translation>
    </message>
    <message>
        <source>Logged in as {name}.</source>
        <translation>已登录：{name}。</translation>
    </message>
    <message>
        <source>No serial port found.</source>
        <translation>未发现串口。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Port (URL)</source>
        <translation>端口 (URL)</translation>
    </message>
    <message>
        <source>Baud</source>
        <translation>波特率</translation>
    </message>
    <message>
        <source>Dispenser</source>
        <translation>取号机</translation>
    </message>
    <message>
        <source>Buttons</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>键数</translation>
    </message>
    <message>
        <source>Paper (mm)</source>
        <translation>纸宽 (mm)</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>显示格式</translation>
    </message>
    <message>
        <source>not heard yet</source>
        <translation>尚未应答</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline since {time}</source>
        <translation>自 {time} 起离线</translation>
    </message>
    <message>
        <source>Select a device first (the bus station must run here).</source>
        <translation>请先选择设备（本机须运行总线站）。</translation>
    </message>
    <message>
        <source>Test sent.</source>
        <translation>测试指令已发送。</translation>
    </message>
    <message>
        <source>Saved to {path}. Restart the bus station to use it.</source>
        <translation>已保存到 {path}，重启总线站后生效。</translation>
    </message>
</context>
<context>
    <name>AlertDetailDialog</name>
    <message>
        <source>{number} ({service}): taken {issued}, called {called}, counter {counter}</source>
        <translation>{number}（{service}）：{issued} 取号，{called} 叫号，{counter} 号窗口</translation>
    </message>
    <message>
        <source>Clerk: {name} ({job})</source>
        <translation>柜员：{name}（{job}）</translation>
    </message>
    <message>
        <source>Rating: {rating}</source>
        <translation>评价：{rating}</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>备注：{note}</translation>
    </message>
    <message>
        <source>Ask for a complaint work order…</source>
        <translation>申请投诉工单…</translation>
    </message>
</context>
<context>
    <name>ApprovalFields</name>
    <message>
        <source>Manager&apos;s job number</source>
        <translation>主管工号</translation>
    </message>
    <message>
        <source>Manager&apos;s password</source>
        <translation>主管密码</translation>
    </message>
    <message>
        <source>A manager must approve.</source>
        <translation>须由主管授权。</translation>
    </message>
    <message>
        <source>The manager&apos;s password is needed.</source>
        <translation>请输入主管密码。</translation>
    </message>
</context>
<context>
    <name>CallNumberDialog</name>
    <message>
        <source>Call a number</source>
        <translation>指定叫号</translation>
    </message>
    <message>
        <source>Ticket number (e.g. A012) or scanned ticket code:</source>
        <translation>票号（如 A012）或扫描号票条码：</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>呼叫</translation>
    </message>
    <message>
        <source>Enter a ticket number.</source>
        <translation>请输入票号。</translation>
    </message>
</context>
<context>
    <name>ClosingDialog</name>
    <message>
        <source>Day closing</source>
        <translation>日结</translation>
    </message>
    <message>
        <source>Close the day</source>
        <translation>日结</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>营业日</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>缴费笔数</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>已作废</translation>
    </message>
    <message>
        <source>Refunds paid</source>
        <translation>已退费</translation>
    </message>
    <message>
        <source>Cash expected in the drawer</source>
        <translation>钱箱应有现金</translation>
    </message>
    <message>
        <source>Cash counted</source>
        <translation>实点现金</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>This day is closed already.</source>
        <translation>本日已日结。</translation>
    </message>
</context>
<context>
    <name>CounterWindow</name>
    <message>
        <source>HallDesk - Counter</source>
        <translation>HallDesk - 窗口叫号</translation>
    </message>
    <message>
        <source>Please log in first (Ctrl+L).</source>
        <translation>请先登录（Ctrl+L）。</translation>
    </message>
    <message>
        <source>Please wait: the last step is still running.</source>
        <translation>请稍候：上一步操作尚未完成。</translation>
    </message>
    <message>
        <source>Logged out.</source>
        <translation>已退出登录。</translation>
    </message>
    <message>
        <source>Welcome, {name}.</source>
        <translation>欢迎，{name}。</translation>
    </message>
    <message>
        <source>A customer rated the service dissatisfied. The duty manager is told.</source>
        <translation>有客户评价“不满意”，已通知值班经理。</translation>
    </message>
    <message>
        <source>You are no longer logged in at this counter.</source>
        <translation>您在本窗口的登录已失效，请重新登录。</translation>
    </message>
    <message>
        <source>Call next</source>
        <translation>叫下一位</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>重呼</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始办理</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>办理完成</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>过号</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>挂起</translation>
    </message>
    <message>
        <source>Call back</source>
        <translation>回呼</translation>
    </message>
    <message>
        <source>Transfer...</source>
        <translation>转移…</translation>
    </message>
    <message>
        <source>Call number...</source>
        <translation>指定叫号…</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复服务</translation>
    </message>
    <message>
        <source>Pause...</source>
        <translation>暂停服务…</translation>
    </message>
    <message>
        <source>Ask for rating</source>
        <translation>请求评价</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Log in...</source>
        <translation>登录…</translation>
    </message>
    <message>
        <source>Counter {number}</source>
        <translation>{number}号窗口</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>未开放</translation>
    </message>
    <message>
        <source>{clerk} - log in to continue</source>
        <translation>{clerk} - 请登录后继续</translation>
    </message>
    <message>
        <source>Paused: {reason}</source>
        <translation>暂停中：{reason}</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>服务中</translation>
    </message>
    <message>
        <source>Current customer</source>
        <translation>当前客户</translation>
    </message>
    <message>
        <source>Waiting for this counter</source>
        <translation>本窗口等候人数</translation>
    </message>
    <message>
        <source>On hold (F7 calls back)</source>
        <translation>挂起的号票（F7 回呼）</translation>
    </message>
    <message>
        <source>Log in to open the counter (Ctrl+L).</source>
        <translation>请登录后开始服务（Ctrl+L）。</translation>
    </message>
    <message>
        <source>The counter is paused. F10 resumes.</source>
        <translation>窗口已暂停服务，按 F10 恢复。</translation>
    </message>
    <message>
        <source>No current customer. F1 calls the next one.</source>
        <translation>当前没有客户，按 F1 叫下一位。</translation>
    </message>
    <message numerus="yes">
        <source>Recalled %n time(s)</source>
        <translation>
            <numerusform>已重呼 %n 次</numerusform>
        </translation>
    </message>
    <message>
        <source>Serving for {time}</source>
        <translation>已办理 {time}</translation>
    </message>
    <message>
        <source>Since the call: {time}</source>
        <translation>叫号至今 {time}</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>{number}: the customer did not rate.</source>
        <translation>{number}: 客户未评价。</translation>
    </message>
    <message>
        <source>{number} rated the service: {rating}.</source>
        <translation>{number} 的评价: {rating}。</translation>
    </message>
    <message>
        <source>Nobody is waiting.</source>
        <translation>暂无等候的客户。</translation>
    </message>
    <message>
        <source>Called {number}.</source>
        <translation>已呼叫 {number}。</translation>
    </message>
    <message>
        <source>{number} transferred to {service}.</source>
        <translation>{number} 已转至{service}。</translation>
    </message>
    <message>
        <source>Recalled {number}.</source>
        <translation>已重呼 {number}。</translation>
    </message>
    <message>
        <source>Serving {number}.</source>
        <translation>开始为 {number} 办理。</translation>
    </message>
    <message>
        <source>{number} finished.</source>
        <translation>{number} 办理完成。</translation>
    </message>
    <message>
        <source>{number} marked as no-show.</source>
        <translation>{number} 已记为过号。</translation>
    </message>
    <message>
        <source>{number} is on hold.</source>
        <translation>{number} 已挂起。</translation>
    </message>
    <message>
        <source>Called back {number}.</source>
        <translation>已回呼 {number}。</translation>
    </message>
    <message>
        <source>The counter is paused.</source>
        <translation>窗口已暂停服务。</translation>
    </message>
    <message>
        <source>The counter is open again.</source>
        <translation>窗口已恢复服务。</translation>
    </message>
    <message>
        <source>The evaluator asks the customer to rate.</source>
        <translation>评价器已请客户评价。</translation>
    </message>
</context>
<context>
    <name>DevicePanel</name>
    <message>
        <source>HallDesk - Simulated devices</source>
        <translation>HallDesk - 模拟设备</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一位</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>重呼</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>过号</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Very satisfied</source>
        <translation>非常满意</translation>
    </message>
    <message>
        <source>Satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>基本满意</translation>
    </message>
    <message>
        <source>Dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <source>Key refused (beep)</source>
        <translation>按键被拒绝（蜂鸣）</translation>
    </message>
    <message>
        <source>Closed (no clerk)</source>
        <translation>未开放（无人登录）</translation>
    </message>
    <message>
        <source>Waiting for a rating</source>
        <translation>等待评价</translation>
    </message>
    <message>
        <source>Caller keypads and evaluators</source>
        <translation>叫号器与评价器</translation>
    </message>
    <message>
        <source>Counter {n}</source>
        <translation>{n}号窗口</translation>
    </message>
    <message>
        <source>Dispenser panel</source>
        <translation>取号按键板</translation>
    </message>
    <message>
        <source>Ticket printer</source>
        <translation>号票打印机</translation>
    </message>
    <message>
        <source>Port {bus}: {state}</source>
        <translation>端口 {bus}：{state}</translation>
    </message>
    <message>
        <source>LED {value}</source>
        <translation>LED 显示 {value}</translation>
    </message>
    <message>
        <source>Waiting [{waiting}]  Ticket [{ticket}]</source>
        <translation>等候 [{waiting}]  票号 [{ticket}]</translation>
    </message>
</context>
<context>
    <name>DisplayWindow</name>
    <message>
        <source>HallDesk - Hall display</source>
        <translation>HallDesk - 叫号大屏</translation>
    </message>
    <message>
        <source>Now calling</source>
        <translation>正在呼叫</translation>
    </message>
    <message>
        <source>Recent calls</source>
        <translation>最近呼叫</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等候</translation>
    </message>
    <message>
        <source>{number} → Counter {counter}</source>
        <translation>{number} → {counter}号窗口</translation>
    </message>
    <message>
        <source>Please wait for your number</source>
        <translation>请留意叫号</translation>
    </message>
    <message>
        <source>Counter {counter}</source>
        <translation>{counter}号窗口</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>未开放</translation>
    </message>
    <message numerus="yes">
        <source>{service}: %n waiting</source>
        <translation>
            <numerusform>{service}：%n 人</numerusform>
        </translation>
    </message>
    <message>
        <source>Voice off (M)</source>
        <translation>语音已关（M）</translation>
    </message>
    <message>
        <source>Voice on (M)</source>
        <translation>语音已开（M）</translation>
    </message>
</context>
<context>
    <name>FeeDialog</name>
    <message>
        <source>Business fees</source>
        <translation>业务收费</translation>
    </message>
    <message>
        <source>Add to the payment</source>
        <translation>加入本次收费</translation>
    </message>
</context>
<context>
    <name>FirstCopyWindow</name>
    <message>
        <source>HallDesk - First copy of the hall</source>
        <translation>HallDesk - 首次复制本厅数据</translation>
    </message>
    <message>
        <source>Hall</source>
        <translation>营业厅</translation>
    </message>
    <message>
        <source>Services</source>
        <translation>业务</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Services of the counters</source>
        <translation>窗口业务</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Customer accounts</source>
        <translation>客户账户</translation>
    </message>
    <message>
        <source>Bills</source>
        <translation>账单</translation>
    </message>
    <message>
        <source>Fee items</source>
        <translation>收费项目</translation>
    </message>
    <message>
        <source>Late fee rules</source>
        <translation>滞纳金规则</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>缴费记录</translation>
    </message>
    <message>
        <source>Bills of the payments</source>
        <translation>缴费对应账单</translation>
    </message>
    <message>
        <source>Fees of the payments</source>
        <translation>缴费附加费用</translation>
    </message>
    <message>
        <source>Account credit</source>
        <translation>账户余额</translation>
    </message>
    <message>
        <source>Voided payments</source>
        <translation>作废的缴费</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>退款</translation>
    </message>
    <message>
        <source>Receipt prints</source>
        <translation>收据打印记录</translation>
    </message>
    <message>
        <source>Day closings</source>
        <translation>日结</translation>
    </message>
    <message>
        <source>Copying hall {hall} from the central database</source>
        <translation>正在从中心数据库复制营业厅 {hall}</translation>
    </message>
    <message>
        <source>This station is new. It keeps its own copy of the hall, so that its counter goes on working when the central database cannot be reached. The copy is made once, now.</source>
        <translation>这是一台新工作站。它保存本厅数据的副本，中心数据库连不上时柜台也能照常工作。副本只需复制一次，现在进行。</translation>
    </message>
    <message>
        <source>Counting the rows to copy…</source>
        <translation>正在统计要复制的记录…</translation>
    </message>
    <message>
        <source>Estimating the time left…</source>
        <translation>正在估算剩余时间…</translation>
    </message>
    <message>
        <source>Cancel stops the copy after the batch being written. Nothing copied is lost: the next start of HallDesk goes on from there.</source>
        <translation>取消会在当前这批写完后停止复制。已复制的内容不会丢失：下次启动 HallDesk 时从这里继续。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stopping after the batch being written…</source>
        <translation>当前这批写完后停止…</translation>
    </message>
    <message>
        <source>{table}: {done} of {total} rows</source>
        <translation>{table}：{done} / {total} 条</translation>
    </message>
    <message>
        <source>{done} of {total} rows in all</source>
        <translation>共 {done} / {total} 条</translation>
    </message>
    <message>
        <source>Less than a minute left</source>
        <translation>剩余不到 1 分钟</translation>
    </message>
    <message>
        <source>About {hours} h {minutes} min left</source>
        <translation>约剩 {hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <source>About {minutes} min left</source>
        <translation>约剩 {minutes} 分钟</translation>
    </message>
    <message>
        <source>The central database cannot be reached.</source>
        <translation>无法连接中心数据库。</translation>
    </message>
    <message>
        <source>The copy stopped: {reason} The next start of HallDesk goes on from where it stopped.</source>
        <translation>复制已停止：{reason} 下次启动 HallDesk 时从停止处继续。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>HallDesk - Ticket kiosk</source>
        <translation>HallDesk - 取号机</translation>
    </message>
    <message>
        <source>Please touch the service you need</source>
        <translation>请选择您要办理的业务</translation>
    </message>
    <message>
        <source>Your number</source>
        <translation>您的号码</translation>
    </message>
    <message>
        <source>Please keep your ticket and watch the screen for your number.</source>
        <translation>请保管好号票，留意大屏叫号。</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation>
            <numerusform>等候 %n 人</numerusform>
        </translation>
    </message>
    <message>
        <source>Issuing your ticket...</source>
        <translation>正在出票，请稍候…</translation>
    </message>
    <message>
        <source>Nobody is ahead of you</source>
        <translation>您前面没有人在等候</translation>
    </message>
    <message numerus="yes">
        <source>%n people ahead of you</source>
        <translation>
            <numerusform>您前面还有 %n 人</numerusform>
        </translation>
    </message>
    <message>
        <source>Estimated wait: none</source>
        <translation>无需等候</translation>
    </message>
    <message>
        <source>Estimated wait: about {minutes} min</source>
        <translation>预计等候约 {minutes} 分钟</translation>
    </message>
    <message>
        <source>Issued at {time}</source>
        <translation>取号时间 {time}</translation>
    </message>
</context>
<context>
    <name>LimitsDialog</name>
    <message>
        <source>Limits of {service}</source>
        <translation>{service} 的阈值</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>no alert</source>
        <translation>不告警</translation>
    </message>
    <message>
        <source>Alert when someone has waited longer than</source>
        <translation>等候超过此时长时告警</translation>
    </message>
    <message>
        <source>Alert when a customer is at the counter longer than</source>
        <translation>办理超过此时长时告警</translation>
    </message>
    <message>
        <source>Alert when more are waiting than</source>
        <translation>等候人数超过此数时告警</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Counter log-in</source>
        <translation>窗口登录</translation>
    </message>
    <message>
        <source>Please log in with your job number</source>
        <translation>请使用工号登录</translation>
    </message>
    <message>
        <source>Job number</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>Repeat the new password</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口号</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Logging in...</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <source>Enter your job number and password.</source>
        <translation>请输入工号和密码。</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>ManagerWindow</name>
    <message>
        <source>HallDesk - Hall manager</source>
        <translation>HallDesk - 大堂经理</translation>
    </message>
    <message>
        <source>Job number</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Hall manager: log in</source>
        <translation>大堂经理：请登录</translation>
    </message>
    <message>
        <source>Logged in as {name}.</source>
        <translation>已登录：{name}。</translation>
    </message>
    <message>
        <source>Choose an alert first.</source>
        <translation>请先选择一条告警。</translation>
    </message>
    <message>
        <source>Acknowledge the alert</source>
        <translation>确认告警</translation>
    </message>
    <message>
        <source>What was done about it?</source>
        <translation>采取了什么处理？</translation>
    </message>
    <message>
        <source>Alert acknowledged.</source>
        <translation>告警已确认。</translation>
    </message>
    <message>
        <source>Complaint work order</source>
        <translation>投诉工单</translation>
    </message>
    <message>
        <source>What is the complaint about? (The work order follows from this request.)</source>
        <translation>投诉内容是什么？（工单将依此申请生成。）</translation>
    </message>
    <message>
        <source>Complaint work order requested.</source>
        <translation>已申请投诉工单。</translation>
    </message>
    <message>
        <source>Choose a service first.</source>
        <translation>请先选择一项业务。</translation>
    </message>
    <message>
        <source>The limits are saved.</source>
        <translation>阈值已保存。</translation>
    </message>
    <message>
        <source>Waiting now</source>
        <translation>当前等候</translation>
    </message>
    <message>
        <source>Satisfaction today</source>
        <translation>今日满意率</translation>
    </message>
    <message>
        <source>Alerts to acknowledge</source>
        <translation>待确认告警</translation>
    </message>
    <message>
        <source>Devices offline</source>
        <translation>离线设备</translation>
    </message>
    <message>
        <source>Link to the centre</source>
        <translation>与中心的连接</translation>
    </message>
    <message>
        <source>Services</source>
        <translation>业务</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>业务</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等候</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>最长等候</translation>
    </message>
    <message>
        <source>Average wait today</source>
        <translation>今日平均等候</translation>
    </message>
    <message>
        <source>Served today</source>
        <translation>今日已办</translation>
    </message>
    <message>
        <source>A new ticket waits</source>
        <translation>新取号预计等候</translation>
    </message>
    <message>
        <source>Limits (wait / handling / queue)</source>
        <translation>阈值（等候 / 办理 / 排队人数）</translation>
    </message>
    <message>
        <source>Limits of the chosen service…</source>
        <translation>所选业务的阈值…</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Clerk</source>
        <translation>柜员</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>For</source>
        <translation>已用时</translation>
    </message>
    <message>
        <source>Idle today</source>
        <translation>今日空闲</translation>
    </message>
    <message>
        <source>Alerts today</source>
        <translation>今日告警</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Acknowledge… (Ctrl+K)</source>
        <translation>确认…（Ctrl+K）</translation>
    </message>
    <message>
        <source>Details… (Enter)</source>
        <translation>详情…（Enter）</translation>
    </message>
    <message>
        <source>The hall now</source>
        <translation>实时大厅</translation>
    </message>
    <message>
        <source>Day charts</source>
        <translation>日图表</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>未开放</translation>
    </message>
    <message>
        <source>open, free</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>calling</source>
        <translation>叫号中</translation>
    </message>
    <message>
        <source>serving</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>Dissatisfied customer</source>
        <translation>客户不满意</translation>
    </message>
    <message>
        <source>Wait over the limit</source>
        <translation>等候超时</translation>
    </message>
    <message>
        <source>Handling over the limit</source>
        <translation>办理超时</translation>
    </message>
    <message>
        <source>Queue over the limit</source>
        <translation>排队人数超限</translation>
    </message>
    <message>
        <source>Centre unreachable</source>
        <translation>中心不可达</translation>
    </message>
    <message>
        <source>Device offline</source>
        <translation>设备离线</translation>
    </message>
    <message>
        <source>Device back online</source>
        <translation>设备恢复在线</translation>
    </message>
    <message>
        <source>Device fault</source>
        <translation>设备故障</translation>
    </message>
    <message>
        <source>Paper low</source>
        <translation>纸将用完</translation>
    </message>
    <message>
        <source>Paper out</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <source>Printing failed</source>
        <translation>打印失败</translation>
    </message>
    <message>
        <source>acknowledged: {note}</source>
        <translation>已确认：{note}</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>over, to acknowledge</source>
        <translation>已恢复，待确认</translation>
    </message>
    <message>
        <source>open</source>
        <translation>未处理</translation>
    </message>
    <message>
        <source>Counter {n}</source>
        <translation>{n} 号窗口</translation>
    </message>
    <message>
        <source>Station {name}</source>
        <translation>工作站 {name}</translation>
    </message>
    <message>
        <source>{ticket} rated: {rating}</source>
        <translation>{ticket} 评价：{rating}</translation>
    </message>
    <message>
        <source>waited {value} min, limit {limit} min</source>
        <translation>已等候 {value} 分钟，阈值 {limit} 分钟</translation>
    </message>
    <message>
        <source>{ticket} at the counter {value} min, limit {limit} min</source>
        <translation>{ticket} 已办理 {value} 分钟，阈值 {limit} 分钟</translation>
    </message>
    <message>
        <source>{value} waiting, limit {limit}</source>
        <translation>{value} 人等候，阈值 {limit} 人</translation>
    </message>
    <message>
        <source>very satisfied</source>
        <translation>非常满意</translation>
    </message>
    <message>
        <source>satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <source>very dissatisfied</source>
        <translation>非常不满意</translation>
    </message>
    <message>
        <source>{hall} — the hall now</source>
        <translation>{hall} — 实时大厅</translation>
    </message>
    <message>
        <source>no rating yet</source>
        <translation>暂无评价</translation>
    </message>
    <message>
        <source>{rate} % of {rated}</source>
        <translation>{rate}%（共 {rated} 人评价）</translation>
    </message>
    <message>
        <source>paper: {n}</source>
        <translation>缺纸：{n}</translation>
    </message>
    <message>
        <source>Stations not synced for over 5 minutes: {names}</source>
        <translation>超过 5 分钟未同步的工作站：{names}</translation>
    </message>
    <message>
        <source>{n} stations of this hall sync with the centre.</source>
        <translation>本厅 {n} 台工作站与中心同步。</translation>
    </message>
    <message>
        <source>direct</source>
        <translation>直连</translation>
    </message>
    <message>
        <source>online, {n} to send</source>
        <translation>在线，待发送 {n} 条</translation>
    </message>
    <message>
        <source>offline since {time}, {n} to send</source>
        <translation>自 {time} 起离线，待发送 {n} 条</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>营业日</translation>
    </message>
    <message>
        <source>{issued} issued, {served} served, {no_shows} no-shows</source>
        <translation>取号 {issued}，已办 {served}，过号 {no_shows}</translation>
    </message>
    <message>
        <source>Arrivals and served per hour</source>
        <translation>每小时取号与办结</translation>
    </message>
    <message>
        <source>Arrivals</source>
        <translation>取号</translation>
    </message>
    <message>
        <source>Served</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>Waits (minutes)</source>
        <translation>等候时长（分钟）</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Satisfaction by clerk (%)</source>
        <translation>各柜员满意率（%）</translation>
    </message>
    <message>
        <source>Satisfaction by service (%)</source>
        <translation>各业务满意率（%）</translation>
    </message>
    <message>
        <source>Arrivals against the same weekday ({weeks} weeks)</source>
        <translation>取号与前 {weeks} 周同一工作日对比</translation>
    </message>
    <message>
        <source>Arrivals (no earlier same weekday to compare)</source>
        <translation>取号（无前几周同一工作日可比）</translation>
    </message>
    <message>
        <source>This day</source>
        <translation>当天</translation>
    </message>
    <message>
        <source>Usual</source>
        <translation>往常</translation>
    </message>
    <message>
        <source>Satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>Paid twice while counters were offline (last {days} days): call the customer; a refund at the counter pays a credit back.</source>
        <translation>断网期间的重复收付（近 {days} 天）：请联系客户；预存款可在窗口办理退费。</translation>
    </message>
    <message>
        <source>{time}  account {account}, bill {period}: {amount} to the customer&apos;s credit (receipts {receipts})</source>
        <translation>{time}  户号 {account}，{period} 账单：{amount} 已转入客户预存款（收据 {receipts}）</translation>
    </message>
    <message>
        <source>{time}  account {account}, bill {period}: {amount} taken back, a payment was voided (receipt {receipts})</source>
        <translation>{time}  户号 {account}，{period} 账单：因缴费作废收回 {amount}（收据 {receipts}）</translation>
    </message>
    <message>
        <source>{time}  account {account}: prepaid credit paid out twice, {amount} overdrawn (refunds at {receipts})</source>
        <translation>{time}  户号 {account}：预存款被重复退付，透支 {amount}（退费窗口 {receipts}）</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>Something went wrong. The step was not saved; please try again.</source>
        <translation>操作出错，未保存，请重试。</translation>
    </message>
    <message>
        <source>The queue database cannot be reached. Please ask the staff for help.</source>
        <translation>无法连接排队数据库，请联系工作人员。</translation>
    </message>
    <message>
        <source>Hall {hall} is not set up in the database.</source>
        <translation>数据库中没有营业厅 {hall} 的配置。</translation>
    </message>
    <message>
        <source>Service {service} is not offered in this hall.</source>
        <translation>本营业厅不办理业务 {service}。</translation>
    </message>
    <message>
        <source>Counter {counter} does not exist in this hall.</source>
        <translation>本营业厅没有 {counter} 号窗口。</translation>
    </message>
    <message>
        <source>That ticket is not known.</source>
        <translation>找不到该号票。</translation>
    </message>
    <message>
        <source>Nobody is logged in at this counter. Please log in again.</source>
        <translation>本窗口无人登录，请重新登录。</translation>
    </message>
    <message>
        <source>Finish or hold the current customer first.</source>
        <translation>请先完成或挂起当前客户。</translation>
    </message>
    <message>
        <source>The counter is paused. Resume it first (F10).</source>
        <translation>窗口已暂停服务，请先恢复（F10）。</translation>
    </message>
    <message>
        <source>The counter is not paused.</source>
        <translation>窗口未处于暂停状态。</translation>
    </message>
    <message>
        <source>There is no current customer. Call the next one first (F1).</source>
        <translation>当前没有客户，请先叫号（F1）。</translation>
    </message>
    <message>
        <source>Not possible now: the customer is already being served.</source>
        <translation>无法执行：该客户已在办理中。</translation>
    </message>
    <message>
        <source>No waiting ticket {number} today.</source>
        <translation>今天没有正在等候的 {number} 号。</translation>
    </message>
    <message>
        <source>This ticket cannot be recalled any more.</source>
        <translation>该号已达到重呼次数上限。</translation>
    </message>
    <message>
        <source>No ticket is on hold at this counter.</source>
        <translation>本窗口没有挂起的号票。</translation>
    </message>
    <message>
        <source>The ticket cannot be transferred to that service.</source>
        <translation>该号票不能转到所选业务。</translation>
    </message>
    <message>
        <source>No more numbers for this service today. Please ask the staff.</source>
        <translation>该业务今日号码已发完，请联系工作人员。</translation>
    </message>
    <message>
        <source>This counter does not offer that service.</source>
        <translation>本窗口不办理该业务。</translation>
    </message>
    <message>
        <source>Wrong job number or password.</source>
        <translation>工号或密码错误。</translation>
    </message>
    <message>
        <source>The input is not valid.</source>
        <translation>输入无效。</translation>
    </message>
    <message>
        <source>This rating request is already closed.</source>
        <translation>本次评价请求已结束。</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存: {reason}</translation>
    </message>
    <message>
        <source>Please log in first.</source>
        <translation>请先登录。</translation>
    </message>
    <message>
        <source>That is not an amount of money.</source>
        <translation>这不是有效的金额。</translation>
    </message>
    <message>
        <source>No such account in this hall.</source>
        <translation>本营业厅无此户号。</translation>
    </message>
    <message>
        <source>That bill does not belong to this account.</source>
        <translation>该账单不属于此户号。</translation>
    </message>
    <message>
        <source>That bill is already paid in full.</source>
        <translation>该账单已结清。</translation>
    </message>
    <message>
        <source>The business fee {fee} is not (or no longer) in this hall&apos;s schedule.</source>
        <translation>业务收费项目 {fee} 不在（或已不在）本厅收费定义中。</translation>
    </message>
    <message>
        <source>The amount does not cover the business fees ({fees}).</source>
        <translation>金额不足以支付业务收费（{fees}）。</translation>
    </message>
    <message>
        <source>Cash received is less than the amount ({amount}).</source>
        <translation>实收现金少于应收金额（{amount}）。</translation>
    </message>
    <message>
        <source>Enter the card or QR transaction number.</source>
        <translation>请输入刷卡或扫码交易号。</translation>
    </message>
    <message>
        <source>No such payment.</source>
        <translation>找不到该笔缴费记录。</translation>
    </message>
    <message>
        <source>This payment has already been voided.</source>
        <translation>该笔缴费已作废。</translation>
    </message>
    <message>
        <source>Only payments of today can be voided.</source>
        <translation>只能作废当日的缴费。</translation>
    </message>
    <message>
        <source>A bill of this payment was paid twice while counters were offline, and its surplus is already the customer&apos;s prepaid credit. Refund the credit instead.</source>
        <translation>该笔缴费所缴账单在断网期间被重复缴纳，多缴部分已转为客户预存款。请改为办理预存款退费。</translation>
    </message>
    <message>
        <source>The day {day} is closed; no more payments, voids or refunds.</source>
        <translation>{day} 已日结，不能再收费、作废或退费。</translation>
    </message>
    <message>
        <source>Not enough prepaid credit (available: {credit}).</source>
        <translation>预存余额不足（可用：{credit}）。</translation>
    </message>
    <message>
        <source>The amount must be above zero.</source>
        <translation>金额必须大于零。</translation>
    </message>
    <message>
        <source>An amount has at most {places} decimals (fen).</source>
        <translation>金额最多 {places} 位小数（到分）。</translation>
    </message>
    <message>
        <source>The amount is above {maximum}.</source>
        <translation>金额超过 {maximum}。</translation>
    </message>
    <message>
        <source>Too many wrong passwords: the account is locked. Try again in {minutes} min or ask an administrator.</source>
        <translation>密码错误次数过多，账号已锁定。请 {minutes} 分钟后再试，或联系管理员。</translation>
    </message>
    <message>
        <source>Your password was reset. Choose a new password to log in.</source>
        <translation>您的密码已被重置，请设置新密码后登录。</translation>
    </message>
    <message>
        <source>Choose a password of at least {length} characters, not digits alone and not your job number.</source>
        <translation>请设置至少 {length} 位的密码，不能全是数字，也不能与工号相同。</translation>
    </message>
    <message>
        <source>Your role may not do this.</source>
        <translation>您的角色无权执行此操作。</translation>
    </message>
    <message>
        <source>Select a device first (the bus station must run here).</source>
        <translation>请先选择设备(本机须运行总线站)。</translation>
    </message>
    <message>
        <source>Receipt {number} was not printed: the receipt printer does not answer. The payment is saved; reprint it (Ctrl+P) when the printer is back.</source>
        <translation>收据 {number} 未打印：收据打印机无响应。本笔缴费已保存，打印机恢复后请补打（Ctrl+P）。</translation>
    </message>
    <message>
        <source>The ticket printer is out of paper. Please ask the staff for help.</source>
        <translation>取号机缺纸，请联系工作人员。</translation>
    </message>
    <message>
        <source>The ticket printer does not answer. Please ask the staff for help.</source>
        <translation>取号打印机无响应，请联系工作人员。</translation>
    </message>
    <message>
        <source>The step was refused ({code}).</source>
        <translation>操作被拒绝（{code}）。</translation>
    </message>
    <message>
        <source>very satisfied</source>
        <translation>非常满意</translation>
    </message>
    <message>
        <source>satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <source>very dissatisfied</source>
        <translation>非常不满意</translation>
    </message>
    <message>
        <source>Caller keypad</source>
        <translation>呼叫器</translation>
    </message>
    <message>
        <source>Evaluator</source>
        <translation>评价器</translation>
    </message>
    <message>
        <source>Dispenser panel</source>
        <translation>取号按键板</translation>
    </message>
    <message>
        <source>Ticket printer</source>
        <translation>票据打印机</translation>
    </message>
    <message>
        <source>LED display</source>
        <translation>LED 显示屏</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等候中</translation>
    </message>
    <message>
        <source>Called</source>
        <translation>已叫号</translation>
    </message>
    <message>
        <source>Serving</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>已挂起</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>过号</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>已转移</translation>
    </message>
    <message>
        <source>Lunch</source>
        <translation>午休</translation>
    </message>
    <message>
        <source>Meeting</source>
        <translation>会议</translation>
    </message>
    <message>
        <source>System fault</source>
        <translation>系统故障</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <source>Say in a few words what was done.</source>
        <translation>请简要说明处理情况。</translation>
    </message>
</context>
<context>
    <name>PauseDialog</name>
    <message>
        <source>Pause the counter</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <source>Why is the counter pausing?</source>
        <translation>请选择暂停原因：</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
</context>
<context>
    <name>PayDialog</name>
    <message>
        <source>Take a payment</source>
        <translation>收费</translation>
    </message>
    <message>
        <source>Pay and print</source>
        <translation>收费并打印</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>户号</translation>
    </message>
    <message>
        <source>empty: exactly the amount</source>
        <translation>不填：与金额相同</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Cash received</source>
        <translation>实收现金</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>支付方式</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>交易参考号</translation>
    </message>
    <message>
        <source>Cash received is less than the amount ({amount}).</source>
        <translation>实收现金少于金额（{amount}）。</translation>
    </message>
    <message>
        <source>Type or scan the card slip&apos;s or the QR payment&apos;s reference.</source>
        <translation>请输入或扫描刷卡凭条或扫码支付的参考号。</translation>
    </message>
</context>
<context>
    <name>PaymentPanel</name>
    <message>
        <source>Please log in first (Ctrl+L).</source>
        <translation>请先登录（Ctrl+L）。</translation>
    </message>
    <message>
        <source>No account found for {query}.</source>
        <translation>未找到“{query}”对应的户号。</translation>
    </message>
    <message>
        <source>{count} accounts found: choose one and press Enter.</source>
        <translation>找到 {count} 户：请选择一户后按回车。</translation>
    </message>
    <message>
        <source>Look up the account first ({key}).</source>
        <translation>请先查询户号（{key}）。</translation>
    </message>
    <message>
        <source>Paid {amount} ({method}), receipt {number}.</source>
        <translation>已收费 {amount}（{method}），收据号 {number}。</translation>
    </message>
    <message>
        <source>Change: {change}.</source>
        <translation>找零：{change}。</translation>
    </message>
    <message>
        <source>This hall has no business fees.</source>
        <translation>本厅未定义业务收费项目。</translation>
    </message>
    <message>
        <source>Choose a payment in the list first.</source>
        <translation>请先在列表中选择一笔缴费。</translation>
    </message>
    <message>
        <source>Copy of receipt {number} printing.</source>
        <translation>正在补打收据 {number}。</translation>
    </message>
    <message>
        <source>Receipt {number} is void already.</source>
        <translation>收据 {number} 已作废。</translation>
    </message>
    <message>
        <source>Receipt {number} is void; {amount} to give back.</source>
        <translation>收据 {number} 已作废，应退客户 {amount}。</translation>
    </message>
    <message>
        <source>This account has no credit to refund.</source>
        <translation>该户没有可退的预存款。</translation>
    </message>
    <message>
        <source>{amount} of credit refunded; {left} left.</source>
        <translation>已退预存款 {amount}，余 {left}。</translation>
    </message>
    <message>
        <source>Day {day} closed: cash expected {expected}, counted {counted}, difference {difference}.</source>
        <translation>{day} 已日结：应有现金 {expected}，实点 {counted}，差额 {difference}。</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>QR pay</source>
        <translation>扫码</translation>
    </message>
    <message>
        <source>Residential</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Commercial</source>
        <translation>非居民（商业）</translation>
    </message>
    <message>
        <source>Low-income (late fees waived)</source>
        <translation>低保户（免滞纳金）</translation>
    </message>
    <message>
        <source>Fee payment</source>
        <translation>收费</translation>
    </message>
    <message>
        <source>Account number, phone, name or address ({key}), then Enter</source>
        <translation>户号、电话、户名或地址（{key}），回车查询</translation>
    </message>
    <message>
        <source>Look up</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Unpaid bills (Space: include or leave out)</source>
        <translation>欠费账单（空格键：选中或取消）</translation>
    </message>
    <message>
        <source>Payments of this account</source>
        <translation>本户缴费记录</translation>
    </message>
    <message>
        <source>Pay</source>
        <translation>收费</translation>
    </message>
    <message>
        <source>Business fees...</source>
        <translation>业务收费…</translation>
    </message>
    <message>
        <source>Reprint</source>
        <translation>补打</translation>
    </message>
    <message>
        <source>Void...</source>
        <translation>作废…</translation>
    </message>
    <message>
        <source>Refund credit...</source>
        <translation>退预存…</translation>
    </message>
    <message>
        <source>Day closing...</source>
        <translation>日结…</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>账期</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已缴</translation>
    </message>
    <message>
        <source>Late fee</source>
        <translation>滞纳金</translation>
    </message>
    <message>
        <source>Due now</source>
        <translation>应缴</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>收据号</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Clerk</source>
        <translation>营业员</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>No account chosen</source>
        <translation>未选择户号</translation>
    </message>
    <message>
        <source>Credit {amount}</source>
        <translation>预存 {amount}</translation>
    </message>
    <message>
        <source>Nothing owed. A payment goes to credit.</source>
        <translation>无欠费。所缴金额计入预存。</translation>
    </message>
    <message>
        <source>{count} of {total} bills chosen: {due} due (late fees {late})</source>
        <translation>已选 {count}/{total} 笔，应缴 {due}（含滞纳金 {late}）</translation>
    </message>
    <message>
        <source>Business fees {names}: {amount}</source>
        <translation>业务收费 {names}：{amount}</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>已作废</translation>
    </message>
    <message>
        <source>Sending to the centre: {count} waiting</source>
        <translation>正在上传中心：待传 {count} 条</translation>
    </message>
    <message>
        <source>Centre offline since {time}, {count} waiting to be sent</source>
        <translation>中心库自 {time} 起离线，{count} 条待上传</translation>
    </message>
</context>
<context>
    <name>ReceiptPrinter</name>
    <message>
        <source>Choose the receipt printer</source>
        <translation>选择收据打印机</translation>
    </message>
    <message>
        <source>Receipt {number} was not printed: no printer was chosen.</source>
        <translation>收据 {number} 未打印：没有选择打印机。</translation>
    </message>
    <message>
        <source>Receipt {number} could not be printed: {error}</source>
        <translation>收据 {number} 打印失败：{error}</translation>
    </message>
</context>
<context>
    <name>RefundDialog</name>
    <message>
        <source>Refund credit</source>
        <translation>退预存款</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>退费</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>户号</translation>
    </message>
    <message>
        <source>Credit</source>
        <translation>预存余额</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>交易参考号</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>A card or QR refund needs its reference.</source>
        <translation>银行卡或扫码退费须填参考号。</translation>
    </message>
    <message>
        <source>Give the reason.</source>
        <translation>请填写原因。</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>Transfer</source>
        <translation>转移</translation>
    </message>
    <message>
        <source>Transfer {number} to:</source>
        <translation>将 {number} 转至：</translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <source>Void a payment</source>
        <translation>作废缴费</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>收据</translation>
    </message>
    <message>
        <source>Wrong amount</source>
        <translation>金额收错</translation>
    </message>
    <message>
        <source>Wrong account</source>
        <translation>户号收错</translation>
    </message>
    <message>
        <source>Customer cancelled</source>
        <translation>客户取消</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Give the reason.</source>
        <translation>请填写原因。</translation>
    </message>
</context>
</TS>
