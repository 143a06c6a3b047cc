using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace AudioFlow.Telephony.Tests.Streams;

/// <summary>
/// Two ends of a real WebSocket over a real loopback TCP connection (the server end as ASP.NET would hand it over,
/// the client end as a provider would hold it). Socket buffer sizes can be made small to reproduce a client that
/// stops reading.
/// </summary>
internal sealed class WebSocketPair : IAsyncDisposable
{
    private readonly Socket _serverSocket;
    private readonly Socket _clientSocket;

    private WebSocketPair(Socket serverSocket, Socket clientSocket)
    {
        _serverSocket = serverSocket;
        _clientSocket = clientSocket;
        Server = WebSocket.CreateFromStream(new NetworkStream(serverSocket, ownsSocket: true), isServer: true, subProtocol: null, TimeSpan.Zero);
        Client = WebSocket.CreateFromStream(new NetworkStream(clientSocket, ownsSocket: true), isServer: false, subProtocol: null, TimeSpan.Zero);
    }

    public WebSocket Server { get; }

    public WebSocket Client { get; }

    public static async Task<WebSocketPair> CreateAsync(int? bufferBytes = null)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (bufferBytes is { } size)
        {
            client.ReceiveBufferSize = size;
        }

        var accepting = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await accepting;
        if (bufferBytes is { } sendSize)
        {
            server.SendBufferSize = sendSize;
        }

        return new WebSocketPair(server, client);
    }

    /// <summary>Kills the client's TCP connection without a WebSocket close (a provider that vanished).</summary>
    public void AbortClient()
    {
        _clientSocket.LingerState = new LingerOption(true, 0);
        _clientSocket.Close();
    }

    public ValueTask DisposeAsync()
    {
        Server.Dispose();
        Client.Dispose();
        return ValueTask.CompletedTask;
    }
}
