import type { MessageSchema } from './en';

const zh: MessageSchema = {
  app: {
    title: 'Recharge 充值',
    language: '语言',
  },
  auth: {
    login: '登录',
    register: '注册',
    loginTitle: '欢迎回来',
    registerTitle: '创建账号',
    email: '邮箱',
    username: '用户名',
    password: '密码',
    passwordHint: '8–72 个字符',
    inviteCode: '邀请码',
    optional: '选填',
    submitLogin: '登录',
    submitRegister: '注册',
    submitting: '请稍候…',
    invited: '你收到了邀请，邀请码已自动填写。',
    validation: {
      emailRequired: '请输入有效的邮箱地址。',
      usernameRequired: '请填写用户名。',
      passwordRequired: '请输入密码。',
      passwordLength: '密码长度须为 8–72 个字符。',
    },
  },
  home: {
    greeting: '你好，{name}',
    balance: '余额',
    currency: 'USD',
    loading: '加载中…',
    logout: '退出登录',
    retry: '重试',
  },
  errors: {
    generic: '出了点问题，请重试。',
    network: '无法连接服务器，请检查网络后重试。',
    requestId: '请求 ID：{id}',
    codes: {
      AUTH_INVALID_CREDENTIALS: '邮箱或密码错误。',
      AUTH_USER_DISABLED: '该账号已被停用。',
      AUTH_TOKEN_INVALID: '登录已失效，请重新登录。',
      UNAUTHENTICATED: '请先登录。',
      USER_EMAIL_TAKEN: '该邮箱已注册。',
      USER_USERNAME_TAKEN: '该用户名已被占用。',
      REFERRAL_CODE_NOT_FOUND: '邀请码不存在，请检查是否输入有误。',
      REFERRAL_INVITEE_LIMIT_REACHED: '该邀请码已无法继续使用。',
      RATE_LIMITED: '尝试次数过多，请稍后再试。',
      INTERNAL: '服务器出了点问题，请重试。',
    },
  },
};

export default zh;
